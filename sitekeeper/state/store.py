"""Stores: small named blobs with versions, on a local folder or an S3 prefix.

A ``Store`` holds ``key -> bytes``; keys are ``/``-separated relative names. Every read
returns a version, and writes can be conditional on it, which is all a lock (state/lock.py)
or a ledger needs:

- ``read(key) -> (data, version) | None``
- ``create(key, data) -> bool``: only if absent; exactly one of two racing creates wins
- ``replace_if(key, version, data) -> bool``: only if the key still holds that version
- ``write(key, data)`` (whole, atomic), ``delete(key)`` (absent is fine), ``list(prefix)``

``LocalStore`` writes each blob with sitekeeper.fsutil (a unique temporary name in its
``tmp`` folder, flushed to disk) and renames (or, for ``create``, links) it into place, so a
reader never sees half a blob; its version is the content's sha256. ``S3Store`` uses
conditional puts (``IfNoneMatch="*"``, ``IfMatch=<etag>``); since
some S3-compatible stores accept If-None-Match on an existing key and overwrite it, a create
reads its own data back to confirm it won. Both raise ``StateError`` with the fix (deploy
targets wrap their own store and raise ``DeployError``).

``open_store(setting, root)`` picks one from sitekeeper.toml's ``state`` value.
"""
from __future__ import annotations

import hashlib
import os
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from ..errors import OperationError, StateError
from ..fsutil import atomic_write, staged

if TYPE_CHECKING:
    from ..config.workspace import Workspace

DEFAULT_STATE = ".sitekeeper/state"


class Store(Protocol):
    def read(self, key: str) -> tuple[bytes, str] | None: ...
    def create(self, key: str, data: bytes) -> bool: ...
    def replace_if(self, key: str, version: str, data: bytes) -> bool: ...
    def write(self, key: str, data: bytes) -> None: ...
    def delete(self, key: str) -> None: ...
    def list(self, prefix: str = "") -> list[str]: ...
    def describe(self, key: str) -> str: ...  # where a key lives, for messages


def content_version(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def valid_key(key: str) -> str:
    """``key`` if it is a relative path of named parts (no empty, "." or ".." part); else ValueError."""
    parts = key.split("/")
    if not key or key.startswith("/") or any(p in ("", ".", "..") for p in parts):
        raise ValueError(f"bad store key {key!r}")
    return key


class LocalStore:
    """A folder. Temporary files go to ``tmp`` (default ``<root>/tmp``), which ``list`` skips."""

    def __init__(self, root: Path, tmp: Path | None = None, error: type[OperationError] = StateError, label: str = ""):
        self.root = Path(root)
        self.tmp = Path(tmp) if tmp is not None else self.root / "tmp"
        self.error = error
        self.label = label

    def describe(self, key: str) -> str:
        return str(self.root / key)

    def _path(self, key: str) -> Path:
        return self.root / valid_key(key)

    def _fail(self, what: str, exc: OSError) -> OperationError:
        head = f"{self.label}: " if self.label else ""
        return self.error(f"{head}{what} in {self.root}: {exc.strerror or exc}",
                          "check the folder's permissions and free space")

    def read(self, key: str) -> tuple[bytes, str] | None:
        try:
            data = self._path(key).read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            return None
        except OSError as exc:
            raise self._fail(f"cannot read {key}", exc) from exc
        return data, content_version(data)

    def create(self, key: str, data: bytes) -> bool:
        # Written whole under a temporary name, then linked into place: link() fails if the
        # key exists, and a reader never sees a blob that is still being written.
        final = self._path(key)
        tmp = None
        try:
            final.parent.mkdir(parents=True, exist_ok=True)
            tmp = staged(self.tmp, data)
            os.link(tmp, final)
        except FileExistsError:
            return False
        except OSError as exc:
            raise self._fail(f"cannot create {key}", exc) from exc
        finally:
            if tmp is not None:
                tmp.unlink(missing_ok=True)
        return True

    def replace_if(self, key: str, version: str, data: bytes) -> bool:
        # Move the current blob aside under a unique name (rename is atomic: of two racers
        # only one gets it), check it is the version judged, then create ours exclusively.
        final = self._path(key)
        aside = final.with_name(f"{final.name}.aside-{uuid.uuid4().hex}")
        try:
            try:
                os.rename(final, aside)
            except FileNotFoundError:
                return False
            if content_version(aside.read_bytes()) != version:
                try:
                    os.link(aside, final)  # put it back, unless someone created a new one meanwhile
                except FileExistsError:
                    pass
                aside.unlink(missing_ok=True)
                return False
            aside.unlink()
        except OSError as exc:
            raise self._fail(f"cannot replace {key}", exc) from exc
        return self.create(key, data)

    def write(self, key: str, data: bytes) -> None:
        final = self._path(key)
        try:
            atomic_write(final, data, tmp_dir=self.tmp)
        except OSError as exc:
            raise self._fail(f"cannot write {key}", exc) from exc

    def delete(self, key: str) -> None:
        try:
            self._path(key).unlink(missing_ok=True)
        except OSError as exc:
            raise self._fail(f"cannot delete {key}", exc) from exc

    def list(self, prefix: str = "") -> list[str]:
        out: list[str] = []
        # Only the folder the prefix names is walked (previews/ of a store that holds years of
        # activity records is a few entries, not all of them).
        start = self.root / prefix.rpartition("/")[0] if "/" in prefix else self.root
        if not start.is_dir():
            return out
        for dirpath, dirnames, filenames in os.walk(start):
            here = Path(dirpath)
            if here == self.tmp:
                dirnames[:] = []
                continue
            for name in filenames:
                rel = (here / name).relative_to(self.root).as_posix()
                if ".aside-" not in name and rel.startswith(prefix):
                    out.append(rel)
        return sorted(out)


_PROBED: dict[tuple[int, str, str], bool] = {}
"""(client, bucket, prefix) -> whether that store honours conditional writes, this process."""


class S3Store:
    """Keys under ``prefix`` of ``bucket``; ``s3`` is a boto3 client from sitekeeper.aws."""

    def __init__(self, s3: Any, bucket: str, prefix: str = "", error: type[OperationError] = StateError, label: str = "",
                 table: str = ""):
        self.s3, self.bucket = s3, bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.error, self.label, self.table = error, label, table

    def describe(self, key: str) -> str:
        return f"s3://{self.bucket}/{self.prefix}{key}"

    def _key(self, key: str) -> str:
        return self.prefix + valid_key(key)

    def _fail(self, exc: BaseException, what: str) -> OperationError:
        from .. import aws

        message, fix = aws.explain(exc, what, bucket=self.bucket, table=self.table)
        head = f"{self.label} ({self.describe('')})" if self.label else self.describe("")
        return self.error(f"{head}: {message}", fix)

    def check(self) -> None:
        """Is the bucket there and may we use it? Raises with the fix."""
        from .. import aws

        try:
            self.s3.head_bucket(Bucket=self.bucket)
        except aws.errors() as exc:
            raise self._fail(exc, "checking the bucket") from exc

    PROBE_KEY = ".sitekeeper-probe/conditional-writes"

    def conditional_writes(self) -> bool:
        """Does the store honour If-None-Match and If-Match? Probed once per bucket and prefix
        (three small requests), the answer kept in the store itself, so later runs, from any
        machine, read one object. s3rver and older MinIO, Ceph and Garage releases accept a
        conditional put on an existing key and overwrite it: a lock there excludes nobody."""
        known = _PROBED.get((id(self.s3), self.bucket, self.prefix))
        if known is not None:
            return known
        marker = self.read(self.PROBE_KEY)
        if marker is not None and marker[0] in (b"yes", b"no"):
            answer = marker[0] == b"yes"
        else:
            answer = self._probe()
            self.write(self.PROBE_KEY, b"yes" if answer else b"no")
        _PROBED[(id(self.s3), self.bucket, self.prefix)] = answer
        return answer

    def _probe(self) -> bool:
        from .. import aws

        key = self._key(f".sitekeeper-probe/{uuid.uuid4().hex}")
        try:
            first = self.s3.put_object(Bucket=self.bucket, Key=key, Body=b"1", IfNoneMatch="*")
            try:
                self.s3.put_object(Bucket=self.bucket, Key=key, Body=b"2", IfNoneMatch="*")
                return False  # an existing key was overwritten
            except aws.errors() as exc:
                if not aws.is_precondition_failed(exc):
                    raise
            try:
                self.s3.put_object(Bucket=self.bucket, Key=key, Body=b"3", IfMatch='"0000"')
                return False  # a put for a version that is not there went through
            except aws.errors() as exc:
                if not aws.is_precondition_failed(exc):
                    raise
            return bool(first)
        except aws.errors() as exc:
            raise self._fail(exc, "probing conditional writes") from exc
        finally:
            try:
                self.s3.delete_object(Bucket=self.bucket, Key=key)
            except aws.errors():
                pass

    def read(self, key: str) -> tuple[bytes, str] | None:
        from .. import aws

        try:
            obj = self.s3.get_object(Bucket=self.bucket, Key=self._key(key))
            return obj["Body"].read(), obj["ETag"]
        except aws.errors() as exc:
            if aws.is_not_found(exc):
                return None
            raise self._fail(exc, f"reading {key}") from exc

    def create(self, key: str, data: bytes) -> bool:
        from .. import aws

        try:
            self.s3.put_object(Bucket=self.bucket, Key=self._key(key), Body=data, IfNoneMatch="*",
                               ContentType="application/octet-stream", CacheControl="no-store")
        except aws.errors() as exc:
            if aws.is_precondition_failed(exc):
                return False
            raise self._fail(exc, f"creating {key}") from exc
        # A store that ignores If-None-Match lets the later of two creates overwrite the
        # earlier: only the one whose bytes are there now has won.
        got = self.read(key)
        return got is not None and got[0] == data

    def replace_if(self, key: str, version: str, data: bytes) -> bool:
        from .. import aws

        try:
            self.s3.put_object(Bucket=self.bucket, Key=self._key(key), Body=data, IfMatch=version,
                               ContentType="application/octet-stream", CacheControl="no-store")
            return True
        except aws.errors() as exc:
            if aws.is_precondition_failed(exc) or aws.is_not_found(exc):
                return False
            raise self._fail(exc, f"replacing {key}") from exc

    def write(self, key: str, data: bytes) -> None:
        from .. import aws

        try:
            self.s3.put_object(Bucket=self.bucket, Key=self._key(key), Body=data,
                               ContentType="application/octet-stream", CacheControl="no-store")
        except aws.errors() as exc:
            raise self._fail(exc, f"writing {key}") from exc

    def delete(self, key: str) -> None:
        from .. import aws

        try:
            self.s3.delete_object(Bucket=self.bucket, Key=self._key(key))
        except aws.errors() as exc:
            if not aws.is_not_found(exc):
                raise self._fail(exc, f"deleting {key}") from exc

    def list(self, prefix: str = "") -> list[str]:
        from .. import aws

        out: list[str] = []
        try:
            for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket,
                                                                          Prefix=self.prefix + prefix):
                out.extend(obj["Key"][len(self.prefix):] for obj in page.get("Contents", []))
        except aws.errors() as exc:
            raise self._fail(exc, "listing the store") from exc
        return sorted(out)


def open_store(setting: str | None, root: Path, region: str | None = None,
               endpoint_url: str | None = None, profile: str | None = None) -> Store:
    """The store named by sitekeeper.toml's ``state`` (default ``.sitekeeper/state`` in ``root``).

    A path (relative to the workspace root) is a local folder; ``s3://bucket/prefix`` an S3
    store, checked now so a missing bucket is reported before any work. Anything else is an
    error: never silently a local folder."""
    value = DEFAULT_STATE if setting is None or str(setting).strip() == "" else str(setting).strip()
    where = "sitekeeper.toml: state"
    if "://" in value:
        scheme, _, rest = value.partition("://")
        if scheme.lower() != "s3":
            raise StateError(f"{where} = {value!r}: the state store cannot be a {scheme}:// location",
                             "use a folder in the workspace (state = \".sitekeeper/state\") or an S3 prefix "
                             "(state = \"s3://bucket/prefix\", with region / endpoint_url)",
                             path="sitekeeper.toml")
        bucket, _, prefix = rest.partition("/")
        if len(bucket) < 3:
            raise StateError(f"{where} = {value!r} names no bucket",
                             "write it as state = \"s3://bucket/prefix\"", path="sitekeeper.toml")
        from .. import aws

        try:
            sess = aws.session(profile, region)
            if not aws.has_credentials(sess):
                raise StateError(f"{where} = {value!r}: no AWS credentials found",
                                 "set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (or AWS_PROFILE) in the environment "
                                 "that runs sitekeeper", path="sitekeeper.toml")
            s3 = aws.client("s3", sess=sess, endpoint_url=endpoint_url)
        except aws.errors() as exc:
            message, fix = aws.explain(exc, "opening the state store")
            raise StateError(f"{where} = {value!r}: {message}", fix, path="sitekeeper.toml") from exc
        store = S3Store(s3, bucket, prefix, label="the state store", table="sitekeeper.toml")
        store.check()
        return store
    path = Path(value).expanduser()
    return LocalStore(path if path.is_absolute() else Path(root) / path)


def open_workspace_store(ws: Workspace) -> Store:
    """The workspace's state store, from ``ws.settings`` (sitekeeper.toml as read)."""
    settings = getattr(ws, "settings", None) or {}
    return open_store(settings.get("state"), ws.root, region=settings.get("region"),
                      endpoint_url=settings.get("endpoint_url"), profile=settings.get("profile"))
