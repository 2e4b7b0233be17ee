"""One sealed record per private preview in the workspace state store.

``previews/<client>/<id>.json`` holds the link, the folder at the target, the target's name
and url, when the preview was made and when it expires, and whether its upload finished.
It is written before the first file goes up (so a preview cut short is still listed, and
removed on expiry) and again when the upload is done. A record that is damaged, or whose id
or folder is not of the shape sitekeeper writes, stops the work on it: it names the files
to delete, and is never trusted to point anywhere else.
"""
from __future__ import annotations

import json
import re
import secrets
from dataclasses import asdict, dataclass, replace
from datetime import datetime

from ..deploy.plan import PREVIEW_FOLDER
from ..errors import DamagedRecord
from ..state.keys import preview_key, previews_prefix
from ..state.record import load_json, seal

ID = re.compile(r"^[0-9a-f]{8}$")
"""A preview's id: what `--remove` takes (not secret: the folder's name is)."""
TOKEN_BYTES = 18
"""The folder's secret: 144 bits of secrets.token_urlsafe (24 characters)."""


@dataclass(frozen=True)
class Preview:
    id: str
    """Eight hex digits, unique among the client's previews."""
    client: str
    """The client."""
    target: str
    """The [deploy.NAME] target it went to ("default" for the embedded dir: target)."""
    target_url: str
    """That target's url when the preview was made (removal refuses when it changed)."""
    folder: str
    """``preview-<token>``: the private folder at the top of the target's docroot."""
    url: str
    """The link to send the client (ends with /)."""
    created: datetime
    """When it was made (the clock, in the site's timezone)."""
    expires: datetime
    """When tick removes it."""
    at: str = ""
    """The instant the site was built for (--at), ISO; "" for the time it was made."""
    complete: bool = False
    """True once every file is up."""
    files: int = 0
    """Files uploaded."""
    bytes: int = 0
    """Bytes uploaded."""

    def expired(self, now: datetime) -> bool:
        return now >= self.expires

    def as_json(self, now: datetime | None = None) -> dict:
        out = asdict(self)
        out["created"] = self.created.isoformat(timespec="seconds")
        out["expires"] = self.expires.isoformat(timespec="seconds")
        if now is not None:
            out["expired"] = self.expired(now)
        return out


def key(client: str, preview_id: str) -> str:
    return preview_key(client, preview_id)


def new_id(taken) -> str:
    while True:
        got = secrets.token_hex(4)
        if got not in taken:
            return got


def new_folder() -> str:
    return f"preview-{secrets.token_urlsafe(TOKEN_BYTES)}"


def to_bytes(p: Preview) -> bytes:
    return seal(json.dumps(p.as_json(), ensure_ascii=False, sort_keys=True).encode("utf-8"))


def _fix(where: str) -> str:
    return (f"look at {where}: if the preview's folder is still on the target, delete that folder by hand, "
            "then delete the record")


def from_bytes(blob: bytes, where: str, client: str) -> Preview:
    data = load_json(blob, where, _fix(where), "the preview's record")
    try:
        p = Preview(id=data["id"], client=data["client"], target=data["target"], target_url=data["target_url"],
                    folder=data["folder"], url=data["url"], created=datetime.fromisoformat(data["created"]),
                    expires=datetime.fromisoformat(data["expires"]), at=data.get("at", ""),
                    complete=bool(data.get("complete")), files=int(data.get("files", 0)),
                    bytes=int(data.get("bytes", 0)))
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise DamagedRecord(f"{where}: the preview's record is not whole ({exc})", _fix(where),
                            record=where, why="not whole") from exc
    problems = []
    if not (isinstance(p.id, str) and ID.match(p.id)) or not where.endswith(f"/{p.id}.json"):
        problems.append(f"its id {p.id!r} is not the one of its name")
    if not (isinstance(p.folder, str) and PREVIEW_FOLDER.match(p.folder)):
        problems.append(f"its folder {p.folder!r} is not a preview's folder")
    if p.client != client:
        problems.append(f"it names the client {p.client!r}")
    if p.created.tzinfo is None or p.expires.tzinfo is None:
        problems.append("its dates carry no UTC offset")
    if problems:
        raise DamagedRecord(f"{where}: the preview's record is damaged: {'; '.join(problems)}; nothing was deleted",
                            _fix(where), record=where, why=problems[0])
    return p


def read(store, client: str, preview_id: str) -> Preview | None:
    got = store.read(key(client, preview_id))
    if got is None:
        return None
    return from_bytes(got[0], store.describe(key(client, preview_id)), client)


def list_all(store, client: str) -> list[Preview]:
    """The client's previews, oldest first. A damaged record raises DamagedRecord."""
    out = []
    for name in store.list(previews_prefix(client)):
        base = name.rsplit("/", 1)[-1]
        if not base.endswith(".json"):
            continue
        got = store.read(name)
        if got is not None:
            out.append(from_bytes(got[0], store.describe(name), client))
    return sorted(out, key=lambda p: (p.created, p.id))


def write(store, p: Preview) -> None:
    store.write(key(p.client, p.id), to_bytes(p))


def delete(store, p: Preview) -> None:
    store.delete(key(p.client, p.id))


__all__ = ["Preview", "ID", "key", "new_id", "new_folder", "read", "list_all", "write", "delete", "replace"]
