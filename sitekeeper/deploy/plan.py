"""The deploy plan: a pure value computed before anything is touched.

``plan_deploy(local, manifest, listing)`` compares

- ``local``: what the build produced (path -> LocalFile: sha256 of the exact bytes, size, headers),
- ``manifest``: what the target says it holds (path -> ManifestEntry, read from the target itself,
  so a fresh CI runner plans exactly like a laptop), and
- ``listing``: one cheap listing of the target (path -> RemoteEntry: size and a stamp, the
  mtime on SFTP/dir and the ETag on S3),

and returns a ``DeployPlan`` whose uploads each say why. The listing keeps the manifest
honest: a file edited or removed by hand, or a lost manifest, shows up as a size/stamp
mismatch or a missing entry and is re-sent; files at the target that the build no longer
has are deleted. ``--dry-run`` prints the plan; ``apply`` executes exactly it.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Callable, Mapping

from ..state.record import damaged, load_json, seal

MANIFEST_VERSION = 2
READABLE_VERSIONS = (1, 2)
"""Version 1 wrote each entry as an object with named fields; version 2 writes a list,
``[sha256, size, stamp]`` (then headers and release only where they are not "" and the
document's own release), about a third shorter: the state a first upload sends stays a few
per cent of the site."""

# Why an upload is planned.
NEW = "new"                      # not at the target
CONTENT = "content differs"      # the manifest records other bytes (sha256 differs)
HEADERS = "headers differ"       # same bytes, other Content-Type/Cache-Control
CHANGED_AT_TARGET = "changed at target"  # size/stamp in the listing differ from the manifest: edited by hand
UNKNOWN = "not in manifest"      # present, but the target's manifest does not vouch for it

# Upload order: assets before the pages that use them, pages before the indexes that link
# them, and feeds/sitemap last, so a visitor never follows a link to something not there yet.
PHASE_ASSETS, PHASE_PAGES, PHASE_INDEXES = 0, 1, 2
PHASE_NAMES = {PHASE_ASSETS: "assets", PHASE_PAGES: "pages", PHASE_INDEXES: "indexes, feeds and sitemap"}

DELETE_SHARE = 0.25
DELETE_CEILING = 256


@dataclass(frozen=True)
class LocalFile:
    path: str
    """Path relative to the site root, '/' separated."""
    sha256: str
    """Hex sha256 of the exact bytes that will be sent."""
    size: int
    """Size in bytes."""
    headers: str = ""
    """Fingerprint of the headers the target will serve it with ("" for sftp/dir)."""


@dataclass(frozen=True)
class ManifestEntry:
    sha256: str
    """sha256 of the bytes sent."""
    size: int
    """Size in bytes."""
    headers: str = ""
    """Headers fingerprint sent with it."""
    stamp: str = ""
    """What the target's listing showed right after the upload (mtime or ETag)."""
    release: str = ""
    """The publish that sent it."""

    def as_json(self) -> dict:
        return {"sha256": self.sha256, "size": self.size, "headers": self.headers,
                "stamp": self.stamp, "release": self.release}

    def compact(self, release: str) -> list:
        """The version-2 form: ``release`` (the document's) and empty headers are left out."""
        out: list = [self.sha256, self.size, self.stamp]
        if self.release != release:
            out += [self.headers, self.release]
        elif self.headers:
            out.append(self.headers)
        return out

    @classmethod
    def from_compact(cls, value: list, release: str) -> ManifestEntry:
        if not isinstance(value, list) or not 3 <= len(value) <= 5 or not isinstance(value[0], str):
            raise TypeError("not a manifest entry")
        headers = value[3] if len(value) > 3 else ""
        own = value[4] if len(value) > 4 else release
        if not isinstance(value[2], str) or not isinstance(headers, str) or not isinstance(own, str):
            raise TypeError("not a manifest entry")
        return cls(value[0], int(value[1]), headers, value[2], own)


@dataclass(frozen=True)
class RemoteEntry:
    size: int
    """Size the listing reports."""
    stamp: str = ""
    """mtime (sftp, dir) or ETag (s3) the listing reports."""


@dataclass(frozen=True)
class Upload:
    path: str
    """Path relative to the site root."""
    size: int
    """Bytes to send."""
    reason: str
    """Why: new, content differs, headers differ, changed at target, not in manifest."""
    phase: int
    """Order group: assets, pages, indexes."""


@dataclass(frozen=True)
class DeployPlan:
    uploads: tuple[Upload, ...]
    """In the order they will be sent."""
    deletes: tuple[str, ...]
    """Paths to remove at the target, done last."""
    unchanged: int
    """Local files already at the target as they are."""
    site_files: int
    """Files at the target before the deploy (the base of the delete cap)."""
    delete_cap: int
    """Most deletes allowed without --allow-deletes."""
    forget: tuple[str, ...] = ()
    """Manifest entries for files no longer at the target, dropped without any request."""

    @property
    def bytes(self) -> int:
        return sum(u.size for u in self.uploads)

    @property
    def empty(self) -> bool:
        return not self.uploads and not self.deletes

    @property
    def deletes_over_cap(self) -> bool:
        return len(self.deletes) > self.delete_cap

    def phases(self) -> list[tuple[int, list[Upload]]]:
        out: dict[int, list[Upload]] = {}
        for u in self.uploads:
            out.setdefault(u.phase, []).append(u)
        return sorted(out.items())


def is_private(path: str) -> bool:
    """Whatever sitekeeper keeps at a target lives under a top-level `.sitekeeper*` name."""
    return path.split("/", 1)[0].startswith(".sitekeeper")


PREVIEW_FOLDER = re.compile(r"^preview-[A-Za-z0-9_-]{22,}$")
"""A private preview's folder at the top of a docroot (`sitekeeper preview`): a publish of the
live site neither deletes nor vouches for anything under it."""


def is_preview(path: str) -> bool:
    """Is ``path`` (relative to the docroot) inside a private preview's folder?"""
    return "/" in path and PREVIEW_FOLDER.match(path.split("/", 1)[0]) is not None


_FEEDS = {"sitemap.xml", "robots.txt", "feed.xml", "atom.xml", "rss.xml", "index.xml"}


def phase_of(path: str, sections: frozenset[str]) -> int:
    """Which upload group a path belongs to. ``sections``: folders that hold other pages."""
    name = path.rsplit("/", 1)[-1]
    lower = name.lower()
    if lower in _FEEDS or lower.endswith((".atom", ".rss")) or lower.startswith("sitemap") and lower.endswith(".xml"):
        return PHASE_INDEXES
    if not lower.endswith((".html", ".htm")):
        return PHASE_ASSETS
    folder = path.rsplit("/", 1)[0] if "/" in path else ""
    if lower in ("index.html", "index.htm") and folder in sections:
        return PHASE_INDEXES
    return PHASE_PAGES


def sections_of(paths) -> frozenset[str]:
    """Folders (and "" for the root) that contain a page below their own index page."""
    out = set()
    for p in paths:
        if not p.lower().endswith((".html", ".htm")):
            continue
        parts = p.split("/")
        # every ancestor folder of a page's folder is a section
        folder_parts = parts[:-1]
        if parts[-1].lower().startswith("index."):
            folder_parts = folder_parts[:-1]  # about/index.html makes "" a section, not "about"
            for i in range(len(folder_parts) + 1):
                out.add("/".join(folder_parts[:i]))
        else:
            for i in range(len(folder_parts) + 1):
                out.add("/".join(folder_parts[:i]))
    return frozenset(out)


def delete_cap(site_files: int, max_deletes: int | None = None) -> int:
    if max_deletes is not None:
        return max_deletes
    return max(1, min(int(site_files * DELETE_SHARE), DELETE_CEILING))


def plan_deploy(local: Mapping[str, LocalFile], manifest: Mapping[str, ManifestEntry] | None,
                listing: Mapping[str, RemoteEntry], max_deletes: int | None = None) -> DeployPlan:
    """Pure: what to send and delete so the target holds exactly ``local``."""
    manifest = manifest or {}
    listing = {p: e for p, e in listing.items() if not is_private(p) and not is_preview(p)}
    sections = sections_of(local)
    uploads: list[Upload] = []
    unchanged = 0
    for path in sorted(local):
        lf = local[path]
        seen = listing.get(path)
        known = manifest.get(path)
        if seen is None:
            reason = NEW
        elif known is None:
            reason = UNKNOWN
        elif known.size != seen.size or (known.stamp and seen.stamp and known.stamp != seen.stamp):
            reason = CHANGED_AT_TARGET
        elif known.sha256 != lf.sha256 or known.size != lf.size:
            reason = CONTENT
        elif known.headers != lf.headers:
            reason = HEADERS
        else:
            unchanged += 1
            continue
        uploads.append(Upload(path, lf.size, reason, phase_of(path, sections)))
    uploads.sort(key=lambda u: (u.phase, u.path))
    deletes = tuple(sorted(p for p in listing if p not in local))
    forget = tuple(sorted(p for p in manifest if p not in listing and p not in local))
    return DeployPlan(
        uploads=tuple(uploads), deletes=deletes, unchanged=unchanged, site_files=len(listing),
        delete_cap=delete_cap(len(listing), max_deletes), forget=forget,
    )


# ---------------------------------------------------------------- manifest text
#
# The manifest and its journals are sealed records (sitekeeper.state.record): a checksum line
# after the JSON. One that is empty, cut short or fails its checksum stops the publish of that
# target (DamagedRecord, naming where it lives and the fix); it is never read as an empty
# manifest, which would re-send every file as if new. Ones written before they were sealed
# are read when they parse whole.

Where = Callable[[str], str]
"""Where a state key of the target lives (``manifest.json``, ``journal-...``), for messages."""


def manifest_to_bytes(files: Mapping[str, ManifestEntry], release: str, extra: Mapping | None = None,
                      through: str = "") -> bytes:
    data = {"version": MANIFEST_VERSION, "release": release, "through": through,
            "files": {p: files[p].compact(release) for p in sorted(files)}}
    if extra:
        data.update(extra)
    return seal(json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))


def damaged_fix(where: str) -> str:
    return (f"move {where} aside (rename it, e.g. to add .damaged), together with the manifest.json and "
            "journal-*.json beside it: the next publish then sends every file once more, as unverified, and "
            "deletes only what the build no longer has, as always")


def _where(where: Where | None, key: str) -> str:
    return where(key) if where is not None else key


def _entries(files, where: str, what: str, release: str = "") -> dict:
    if not isinstance(files, dict):
        raise damaged(where, what, "its list of files is not a JSON object", damaged_fix(where))
    out: dict[str, ManifestEntry | None] = {}
    for p, e in files.items():
        try:
            if e is None:
                out[p] = None
            elif isinstance(e, list):
                out[p] = ManifestEntry.from_compact(e, release)
            else:
                out[p] = ManifestEntry(e["sha256"], int(e["size"]), e.get("headers", ""), e.get("stamp", ""),
                                       e.get("release", ""))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise damaged(where, what, f"its entry for {p} is not whole", damaged_fix(where)) from exc
    return out


def _release(data: dict) -> str:
    release = data.get("release", "")
    return release if isinstance(release, str) else ""


def _document(blob: bytes, where: str, what: str) -> dict:
    data = load_json(blob, where, damaged_fix(where), what)
    if not isinstance(data, dict):
        raise damaged(where, what, "it is not a JSON object", damaged_fix(where))
    if data.get("version") not in READABLE_VERSIONS:
        raise damaged(where, what, f"it is of version {data.get('version')!r}, not one of "
                      f"{', '.join(map(str, READABLE_VERSIONS))} (written by a newer sitekeeper release?)",
                      damaged_fix(where))
    return data


def manifest_from_bytes(blob: bytes | None, where: Where | None = None) -> tuple[dict[str, ManifestEntry], dict]:
    """(files, the whole document). A missing manifest (None: the target was never published
    to, or its state was moved aside) is an empty one; a damaged one raises DamagedRecord."""
    if blob is None:
        return {}, {}
    name = _where(where, MANIFEST_NAME)
    data = _document(blob, name, "the target's manifest")
    return _entries(data.get("files", {}), name, "the target's manifest", _release(data)), data


# ---------------------------------------------------------------- manifest journal
#
# A publish records what it changed as small journal files next to the manifest
# (``journal-<release>-<seq>.json``: path -> entry, or null for a delete), so a one-page
# change writes a few hundred bytes rather than the whole manifest. Journals are applied
# in name order over the manifest; ``through`` in the manifest names the last journal it
# already contains. Many journals are compacted into a new manifest.

JOURNAL_COMPACT_AT = 8
MANIFEST_NAME = "manifest.json"


def journal_to_bytes(changes: Mapping[str, ManifestEntry | None], release: str) -> bytes:
    data = {"version": MANIFEST_VERSION, "release": release,
            "files": {p: (e.compact(release) if e is not None else None) for p, e in sorted(changes.items())}}
    return seal(json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))


def load_manifest(base: bytes | None, journals: list[tuple[str, bytes]],
                  where: Where | None = None) -> dict[str, ManifestEntry]:
    """The manifest as of the last journal. A damaged manifest or journal raises DamagedRecord
    (``where`` names its location): never skipped, never read as empty."""
    files, doc = manifest_from_bytes(base, where)
    through = doc.get("through", "") if doc else ""
    for name, blob in sorted(journals):
        if name <= through:
            continue
        label = _where(where, name)
        data = _document(blob, label, "a journal of the target's manifest")
        for p, e in _entries(data.get("files", {}), label, "a journal of the target's manifest",
                             _release(data)).items():
            if e is None:
                files.pop(p, None)
            else:
                files[p] = e
    return files
