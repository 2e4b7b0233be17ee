"""Reading a live site over the client's deploy target, read only.

The deploy Remote lists the docroot; the files are read with the target kind's own
connection (the folder, the SFTP session, the bucket). Nothing is written or deleted.
"""
from __future__ import annotations

import posixpath
from typing import Any
from pathlib import Path

from ..errors import DeployError


class RemoteReader:
    def __init__(self, target, client: str, reporter):
        from ..deploy.apply import open_remote

        self.target, self.client = target, client
        # Any: each kind's files are read with that kind's own connection (root, _read, s3, key)
        self.remote: Any = open_remote(target, client, reporter)
        self._listing: dict | None = None

    def listing(self) -> dict:
        """The docroot's files, without private previews' folders (not the client's site)."""
        if self._listing is None:
            from ..deploy.plan import is_preview

            self._listing = {p: e for p, e in self.remote.list_files().items() if not is_preview(p)}
        return self._listing

    def read(self, path: str) -> bytes | None:
        """A file of the docroot by its path ('wp-content/uploads/a.jpg'), or None."""
        path = path.lstrip("/")
        if path not in self.listing():
            return None
        own = getattr(self.remote, "read_file", None)
        if own is not None:
            return own(path)
        kind = self.target.kind
        try:
            if kind == "dir":
                return (Path(self.remote.root) / path).read_bytes()
            if kind == "sftp":
                return self.remote._read(posixpath.join(self.remote.root, path))
            if kind == "s3":
                got = self.remote.s3.get_object(Bucket=self.remote.bucket, Key=self.remote.key(path))
                return got["Body"].read()
        except OSError as exc:
            raise DeployError(f"{self.client}: cannot read {path} from {self.target.name}: {exc}",
                              "check the target's url and your access, then import again") from exc
        raise DeployError(f"{self.client}: cannot read files from a {kind} target")

    def all_files(self) -> dict[str, bytes]:
        """Every file of the docroot: path -> bytes."""
        out = {}
        for path in sorted(self.listing()):
            data = self.read(path)
            if data is not None:
                out[path] = data
        return out

    def close(self) -> None:
        self.remote.close()
