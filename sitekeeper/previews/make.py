"""The preview use cases: make one, list them, remove one, remove the expired (tick).

Making a preview, in order: choose the target (``--target``, else ``[deploy.preview]``, else
the default) and its public address; refuse what cannot hold a preview (an atomic SFTP
target, whose docroot is replaced by each publish; a target whose address is unknown);
build the site after the whole of `check` passed, with base_url set to the preview's link;
turn the build into the preview (rewrite.py) in a staging folder; write the record; publish
the staging folder with ``publish_folder`` to the derived target (docroot
``<docroot>/preview-<token>``, state in the workspace store); write the record again, whole.
The build and staging folders live under the workspace's ``.sitekeeper/previews/`` only for
the run.

Removing one lists the target once and deletes exactly the files under the preview's folder
(every path checked to be under it), through the target's own ``Remote.delete``, which also
removes the emptied folders; then the preview's deploy state and its record.
"""
from __future__ import annotations

import dataclasses
import os
import posixpath
import shutil
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from types import MappingProxyType
from urllib.parse import urlsplit

from ..config import SiteConfig, Workspace, load_site
from ..config.deploy import Target, choose_target
from ..errors import DeployError, SitekeeperError
from ..report import Reporter
from ..state.keys import previews_prefix
from . import records
from .records import Preview
from .rewrite import Moves, preview_file

DEFAULT_EXPIRY = timedelta(days=7)
PREVIEW_TARGET = "preview"
"""A target of this name is where previews go unless --target says otherwise."""
LEFT_TMP = ".sitekeeper-tmp"
"""The temporary folder inside a docroot whose state is in the workspace store (dir, sftp)."""
# Keys of the base target that do not carry over to a preview's derived target.
_NOT_INHERITED = ("mode", "keep_releases", "cloudfront_distribution_id", "max_deletes", "state", "public_url")


@dataclass(frozen=True)
class Made:
    preview: Preview
    """The record, complete."""
    uploaded: list[str] = field(default_factory=list)
    """Paths sent, relative to the preview's folder."""
    pages: int = 0
    """HTML pages in the preview."""

    def as_json(self) -> dict:
        p = self.preview
        return {"client": p.client, "id": p.id, "url": p.url, "target": p.target, "folder": p.folder,
                "created": p.as_json()["created"], "expires": p.as_json()["expires"], "at": p.at or None,
                "pages": self.pages, "uploaded": self.uploaded, "bytes_uploaded": p.bytes}


@dataclass(frozen=True)
class Removed:
    preview: Preview
    """The record of the preview removed."""
    deleted: list[str]
    """Paths deleted, relative to the target's docroot."""

    def as_json(self) -> dict:
        return {"client": self.preview.client, "id": self.preview.id, "removed": True, "url": self.preview.url,
                "target": self.preview.target, "deleted": self.deleted}


def _workspace_store(ws: Workspace):
    """The workspace state store, opened on first use (deploy's ``WorkspaceStore``)."""
    opened: list = []

    def open_it():
        if not opened:
            from ..state.store import open_workspace_store

            opened.append(open_workspace_store(ws))
        return opened[0]

    return open_it


# ---------------------------------------------------------------- choosing the place


def preview_target(cfg: SiteConfig, ws_root: Path, name: str | None) -> Target:
    """The target a preview goes to: ``name``, else [deploy.preview], else the default one."""
    if name is None and PREVIEW_TARGET in cfg.deploy:
        name = PREVIEW_TARGET
    tgt = choose_target(cfg, ws_root, name)
    if tgt.mode == "atomic":
        raise DeployError(
            f"{cfg.client}: target {tgt.name} is an atomic target: each publish switches its docroot to a new "
            "release, so a preview inside it would vanish at the next publish; nothing was built",
            f"add an in-place target for previews ([deploy.{PREVIEW_TARGET}] with its url and public_url), or pass "
            "--target with an in-place one")
    return tgt


def public_base(cfg: SiteConfig, tgt: Target) -> str:
    """Where visitors reach ``tgt``'s docroot: its public_url, or the site's base_url for the
    site's own (first, or embedded default) target."""
    if tgt.public_url:
        return tgt.public_url
    first = next(iter(cfg.deploy), None)
    if first is None or tgt.name == first:
        return cfg.base_url
    raise DeployError(
        f"{cfg.client}: target {tgt.name} is not the site's first target, so its address is not the site's "
        f"base_url ({cfg.base_url}) and sitekeeper cannot know the preview's link; nothing was built",
        f"add public_url = \"https://...\" to [deploy.{tgt.name}] in {cfg.path}: the address its folder is "
        "served at", path=cfg.path, line=tgt.url_line)


def derived_name(target_name: str, preview_id: str) -> str:
    """The derived target's name: in messages, and the key of its state in the workspace store."""
    return f"{target_name}.preview-{preview_id}"


def private_target(tgt: Target, folder: str, preview_id: str) -> Target:
    """``tgt`` with its docroot moved into ``folder`` (in place, state in the workspace store)."""
    if tgt.kind == "dir":
        path = os.path.join(tgt.path, folder)
    elif tgt.kind == "s3":
        path = f"{tgt.path}/{folder}" if tgt.path else folder
    else:
        path = posixpath.join(tgt.path, folder)
    options = {k: v for k, v in tgt.options.items() if k not in _NOT_INHERITED}
    options["state"] = "store"
    return dataclasses.replace(tgt, name=derived_name(tgt.name, preview_id), path=path,
                               url=tgt.url.rstrip("/") + "/" + folder, options=MappingProxyType(options))


# ---------------------------------------------------------------- making one


def make_preview(ws: Workspace, client: str, content_clock, clock, reporter: Reporter, *,
                 target: str | None = None, expires: timedelta = DEFAULT_EXPIRY) -> Made:
    """Build the site as ``content_clock`` sees it and publish it to a new private folder;
    ``clock`` dates the record (``created``, ``expires``)."""
    cfg = load_site(ws, client)
    tgt = preview_target(cfg, ws.root, target)
    base = public_base(cfg, tgt)
    opener = _workspace_store(ws)
    store = opener()
    taken = {p.id for p in records.list_all(store, client)}
    preview_id, folder = records.new_id(taken), records.new_folder()
    link = f"{base}/{folder}/"
    now = clock.now(cfg.tz)
    shown_at = content_clock.now(cfg.tz)
    at = shown_at.isoformat(timespec="seconds") if abs((shown_at - now).total_seconds()) >= 1 else ""
    record = Preview(preview_id, client, tgt.name, tgt.url, folder, link, now, now + expires, at)
    work = work_folder(ws, client, preview_id)
    try:
        built = _build(ws, cfg, content_clock, reporter, link, work / "build")
        _stage(built.out, work / "site", Moves(urlsplit(link).path, cfg.base_url, link))
        records.write(store, record)  # before the first upload: a preview cut short is listed
        from ..deploy.apply import publish_folder

        report = publish_folder(work / "site", private_target(tgt, folder, preview_id), client, reporter,
                                workspace_store=opener)
    finally:
        _clean(ws, work)
    done = dataclasses.replace(record, complete=True, files=len(report.uploaded),
                               bytes=report.as_json()["bytes_uploaded"])
    records.write(store, done)
    return Made(done, list(report.uploaded), built.pages)


def work_folder(ws: Workspace, client: str, preview_id: str) -> Path:
    """Where a preview is built and staged, only while it is made (in the workspace's .sitekeeper/)."""
    return ws.root / ".sitekeeper" / "previews" / client / preview_id


def _build(ws: Workspace, cfg: SiteConfig, clock, reporter: Reporter, link: str, out: Path):
    """The site built for the preview's address, after the whole of `check` passed."""
    from ..check import build_checked

    shown = dataclasses.replace(cfg, base_url=link.rstrip("/"))
    return build_checked(ws, cfg.client, clock, reporter, out=out, cfg=shown)


def _stage(built: Path, stage: Path, moves: Moves) -> None:
    """Write the preview of the build ``built`` into ``stage``."""
    from ..deploy.local import scan_folder

    stage.mkdir(parents=True, exist_ok=True)
    for rel in sorted(scan_folder(built)):
        data = preview_file(rel, (built / rel).read_bytes(), moves)
        if data is None:
            continue
        dest = stage / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(data)
    if not (stage / "robots.txt").exists():
        (stage / "robots.txt").write_bytes(preview_file("robots.txt", b"", moves) or b"")


def _clean(ws: Workspace, work: Path) -> None:
    from ..build.run import build_cache

    shutil.rmtree(build_cache(ws, work / "build"), ignore_errors=True)
    shutil.rmtree(work, ignore_errors=True)
    try:
        work.parent.rmdir()  # the client's folder of previews in the making, when no other is
    except OSError:
        pass


# ---------------------------------------------------------------- listing, removing


def list_previews(ws: Workspace, client: str) -> list[Preview]:
    """The client's previews, oldest first (the client must exist; its site.toml need not load)."""
    ws.require_client(client)
    return records.list_all(_workspace_store(ws)(), client)


def find(ws: Workspace, client: str, preview_id: str) -> Preview:
    """The record of ``preview_id`` (a valid id: the caller checked it), or DeployError."""
    found = records.read(_workspace_store(ws)(), client, preview_id)
    if found is None:
        raise DeployError(f"{client}: no preview {preview_id}; nothing was removed",
                          f"list the client's previews with `sitekeeper preview {client} --list`")
    return found


def remove_preview(ws: Workspace, cfg: SiteConfig, preview: Preview, reporter: Reporter) -> Removed:
    """Delete exactly the files under the preview's folder, its deploy state and its record."""
    if preview.target not in cfg.deploy and not (preview.target == "default" and not cfg.deploy):
        raise DeployError(f"{cfg.client}: preview {preview.id} went to target {preview.target}, which {cfg.path} no "
                          "longer has; nothing was removed",
                          f"put [deploy.{preview.target}] back to remove it, or delete {preview.folder} at that "
                          f"target by hand, then the record {_where(ws, preview)}")
    tgt = choose_target(cfg, ws.root, preview.target)
    if tgt.url != preview.target_url:
        raise DeployError(f"{cfg.client}: target {tgt.name}'s url is now {tgt.url}, but preview {preview.id} went to "
                          f"{preview.target_url}; nothing was removed",
                          f"delete {preview.folder} at {preview.target_url} by hand, then the record "
                          f"{_where(ws, preview)}")
    opener = _workspace_store(ws)
    from ..deploy.apply import open_remote

    remote = open_remote(tgt, cfg.client, reporter, opener)
    try:
        inside = preview.folder + "/"
        mine = sorted(p for p in remote.list_files() if p.startswith(inside))
        if any(".." in p.split("/") or not p.startswith(inside) for p in mine):  # never anything else
            raise DeployError(f"{cfg.client}: the listing of {tgt.name} names a path outside {preview.folder}; "
                              "nothing was removed")
        # One more path, absent: its folder is the temporary one a killed run may leave empty
        # inside the preview (a listing shows no empty folder); a delete of an absent file is
        # fine for every kind, and its emptied folders, the preview's own last, are removed.
        remote.delete(mine + [f"{preview.folder}/{LEFT_TMP}/-"])
    finally:
        remote.close()
    forget(ws, preview)
    _clean(ws, work_folder(ws, cfg.client, preview.id))  # left by a run that was killed
    return Removed(preview, mine)


def _where(ws: Workspace, preview: Preview) -> str:
    return _workspace_store(ws)().describe(records.key(preview.client, preview.id))


def forget(ws: Workspace, preview: Preview) -> None:
    """Drop the preview's deploy state and its record (its files are gone, or removed by hand)."""
    from ..deploy.target_state import store_key_prefix

    store = _workspace_store(ws)()
    prefix = store_key_prefix(preview.client, derived_name(preview.target, preview.id)) + "/"
    for key in store.list(prefix):
        store.delete(key)
    records.delete(store, preview)


# ---------------------------------------------------------------- expiry (tick)


def expiry_step(ws: Workspace, store):
    """A tick step removing each client's expired previews. ``store`` (the workspace's) is
    listed once, now (one request on S3): a client without a preview costs nothing more."""
    try:
        keys = store.list(previews_prefix())
    except SitekeeperError as exc:
        problems, having = list(exc.diagnostics()), None
    else:
        problems, having = [], {k.split("/")[1] for k in keys if k.count("/") == 2 and k.endswith(".json")}

    def step(ws_: Workspace, cfg: SiteConfig, clock, reporter: Reporter, dry_run: bool):
        if having is None:
            return None, problems
        if cfg.client not in having:
            return None, []
        return remove_expired(ws_, cfg, clock, reporter, dry_run)

    return step


def remove_expired(ws: Workspace, cfg: SiteConfig, clock, reporter: Reporter, dry_run: bool):
    """(ids removed, or that would be; problems). One preview that cannot be removed is a
    problem; the others still go."""
    now = clock.now(cfg.tz)
    gone: list[str] = []
    problems = []
    for p in records.list_all(_workspace_store(ws)(), cfg.client):
        if not p.expired(now):
            continue
        if dry_run:
            gone.append(p.id)
            continue
        try:
            remove_preview(ws, cfg, p, reporter)
        except SitekeeperError as exc:
            problems.extend(exc.diagnostics())
            continue
        reporter.info(f"{cfg.client}: preview {p.id} expired ({p.expires:%Y-%m-%d %H:%M}); removed")
        gone.append(p.id)
    return (gone or None), problems


def parse_expiry(text: str) -> timedelta:
    """``7d`` or ``12h`` (1 hour to 366 days); ValueError with the reason otherwise."""
    value = text.strip().lower()
    unit = value[-1:] if value else ""
    number = value[:-1]
    if unit not in ("d", "h") or not number.isdigit():
        raise ValueError(f"{text!r} is not a duration like 7d or 12h")
    delta = timedelta(days=int(number)) if unit == "d" else timedelta(hours=int(number))
    if not timedelta(hours=1) <= delta <= timedelta(days=366):
        raise ValueError(f"{text!r} is outside 1h to 366d")
    return delta
