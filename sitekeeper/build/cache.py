"""What the incremental build remembers between runs, as typed records: one pickle and the
rendered Markdown bodies in a sharded store, in a folder of the workspace's ``.sitekeeper/``
kept for one output folder (``cache_folder``). Never in the output folder itself: that is
what gets served (``build --out DIR`` may be a docroot), and the cache holds draft text."""
from __future__ import annotations

import hashlib
import marshal
import pickle
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from .. import __version__
from ..content.pages import Page
from ..errors import Diagnostic
from .writer import atomic_write

OLD_CACHE_DIR = ".sitekeeper-build"
"""Where earlier versions kept the cache: inside the output folder (removed by the next build)."""
CACHE_VERSION = 11


@dataclass
class SourceRecord:
    """One parsed content file."""

    stat: tuple
    """(mtime_ns, ctime_ns, size, inode) when it was read."""
    sha: str
    """Hash of its bytes."""
    page: Page | None
    """The page without its body (the HTML is in the HtmlStore), or None if it failed."""
    diags: list[Diagnostic]
    """Problems found parsing it."""
    links: tuple = ()
    """(target, body line, kind) of every link and image in its body."""
    raw_html: tuple = ()
    """(body line, fragment) of the raw HTML in its body, for the [content] policy."""
    chars: str = ""
    """Every character of its source and its rendered body, sorted: what the site's font must hold."""


class OutputRecord(NamedTuple):
    """One output as last written."""

    fingerprint: str
    """Hash of the inputs that shaped it."""
    sha: str
    """Hash of its bytes."""
    size: int
    """Its size in bytes."""


class FileHash(NamedTuple):
    """A static or asset file's hash, valid while its stat is the same."""

    stat: tuple
    sha: str


class TemplatesRecord(NamedTuple):
    """The templates' fingerprint, valid while their stat signature is the same."""

    stat: tuple
    fingerprint: str


@dataclass
class PageLinks:
    """A page's link-check verdict, valid while its source and URL stay the same."""

    key: tuple
    """(source sha, page URL)."""
    problems: list[Diagnostic]
    """Broken links found."""


@dataclass
class LinkMemo:
    """What the link checker can reuse while the set of outputs stays the same."""

    outputs_key: str = ""
    """Hash of the sorted output paths the verdicts were made against."""
    pages: dict[str, PageLinks] = field(default_factory=dict)
    """Content relpath -> verdict."""
    promo_links: dict[str, tuple] = field(default_factory=dict)
    """Promotion body hash -> its links (needs a Markdown parse to find)."""


@dataclass
class LastBuild:
    """Enough of the last build to answer a rebuild with no changed input at once."""

    signature: str
    """inputs_signature() of that build."""
    valid: tuple[float, float]
    """Timestamps between which its outputs stay what the site shows."""
    pages: int
    warnings: list[Diagnostic]
    sizes: dict[str, int]
    """Output path -> size."""
    visible: str = ""
    """visible_fingerprint() of its plan: what the site shows."""


@dataclass
class BuildCache:
    path: Path
    """The cache folder."""
    sources: dict[str, SourceRecord] = field(default_factory=dict)
    """Content relpath -> parse."""
    outputs: dict[str, OutputRecord] = field(default_factory=dict)
    """Output path -> as last written."""
    files: dict[str, FileHash] = field(default_factory=dict)
    """Absolute path of a static or theme asset file -> hash."""
    templates: TemplatesRecord | None = None
    links: LinkMemo = field(default_factory=LinkMemo)
    image_sizes: dict[str, tuple[int, int]] = field(default_factory=dict)
    """Content hash of a raster image -> (width, height), read once."""
    html: "HtmlStore | None" = None  # loaded lazily
    dirty: bool = False
    """Anything to save?"""

    @classmethod
    def load(cls, path: Path) -> "BuildCache":
        """The cache kept in ``path`` (a ``cache_folder``), or an empty one."""
        try:
            with open(path / "cache.pickle", "rb") as fh:
                data = pickle.load(fh)
            if data.get("version") != (CACHE_VERSION, __version__):
                raise ValueError("old cache")
            return cls(path, data["sources"], data["outputs"], data["files"], data["templates"], data["links"],
                       data["image_sizes"])
        except Exception:
            return cls(path, dirty=True)

    def get_html(self) -> "HtmlStore":
        if self.html is None:
            self.html = HtmlStore(self.path / "html")
        return self.html

    def save(self, live_html: set[str]) -> None:
        """Write what changed; the HtmlStore keeps only the bodies in ``live_html``."""
        html_dirty = self.html is not None and bool(self.html.dirty)
        if not (self.dirty or html_dirty):
            return
        self.path.mkdir(parents=True, exist_ok=True)
        data = {"version": (CACHE_VERSION, __version__), "sources": self.sources, "outputs": self.outputs,
                "files": self.files, "templates": self.templates, "links": self.links,
                "image_sizes": self.image_sizes}
        atomic_write(self.path / "cache.pickle", pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL))
        if html_dirty and self.html is not None:
            self.html.save(live_html)

def cache_folder(cache_root: Path, out_dir: Path) -> Path:
    """The cache of the builds into ``out_dir`` (absolute): under ``cache_root`` (the
    workspace's ``.sitekeeper/cache``), one folder per output folder, named by it."""
    key = hashlib.blake2b(str(out_dir).encode(), digest_size=8).hexdigest()
    name = re.sub(r"[^A-Za-z0-9._-]", "_", out_dir.name)[:40] or "root"
    return cache_root / "build" / f"{name}-{key}"


def remove_old_cache(out_dir: Path) -> None:
    """Delete the cache an earlier version left inside the output folder (it holds draft text)."""
    old = out_dir / OLD_CACHE_DIR
    if old.is_symlink() or old.is_file():
        old.unlink()
    elif old.is_dir():
        shutil.rmtree(old)


def load_last(path: Path) -> LastBuild | None:
    """The last build's record, without reading the (much larger) cache in ``path``."""
    try:
        with open(path / "quick.pickle", "rb") as fh:
            last = pickle.load(fh)
    except Exception:
        return None
    return last if isinstance(last, LastBuild) else None


def save_last(path: Path, last: LastBuild) -> None:
    atomic_write(path / "quick.pickle", pickle.dumps(last, protocol=pickle.HIGHEST_PROTOCOL))


class HtmlStore:
    """Rendered Markdown bodies by key (a source's hash, or "promo:" + a promotion body's
    hash), in 16 marshal files (by the key's last digit), each read on first use and
    written only when it changed.

    Not one file per page: creating thousands of small files costs more than a few big
    ones. Not one file either: a one-page edit reads and writes a sixteenth of it.
    """

    def __init__(self, folder: Path):
        self.folder = folder
        self.shards: dict[str, dict[str, str]] = {}
        self.dirty: set[str] = set()

    def _shard(self, key: str) -> dict[str, str]:
        name = key[-1]
        shard = self.shards.get(name)
        if shard is None:
            try:
                with open(self.folder / f"{name}.marshal", "rb") as fh:
                    shard = marshal.load(fh)
            except (FileNotFoundError, EOFError, ValueError, TypeError):
                shard = {}
            self.shards[name] = shard
        return shard

    def get(self, key: str) -> str | None:
        return self._shard(key).get(key)

    def __setitem__(self, key: str, value: str) -> None:
        self._shard(key)[key] = value
        self.dirty.add(key[-1])

    def __contains__(self, key: str) -> bool:
        return key in self._shard(key)

    def save(self, live: set[str]) -> None:
        for name in sorted(self.dirty):
            kept = {k: v for k, v in self.shards[name].items() if k in live}
            self.shards[name] = kept
            atomic_write(self.folder / f"{name}.marshal", marshal.dumps(kept))
        self.dirty.clear()
