"""The s3:// target (boto3 through sitekeeper.aws, the one module that imports it).

Credentials come from the AWS chain (environment, profile, instance role); ``profile``,
``region`` and ``endpoint_url`` (any S3-compatible store) come from the target table.
Objects are written whole (S3 never shows a partial object); each carries our own
Content-Type and Cache-Control and its sha256 in the object metadata. Files over
``SITEKEEPER_S3_MULTIPART_THRESHOLD`` bytes go up in parts (``SITEKEEPER_S3_WORKERS`` at once:
sitekeeper.settings). The site's prefix holds only the site: the manifest,
journals and lock live beside it, under ``.sitekeeper-<prefix name>/`` (``bucket/a/site`` ->
``bucket/a/.sitekeeper-site/``), an ``S3Store`` (sitekeeper.state.store), or in the workspace
state store for a site at the bucket's root. The lock is created with ``IfNoneMatch='*'``
(and read back, for stores that ignore it) and taken over with ``IfMatch=<etag of the stale
lock>``, so two publishers can never both hold it. An older layout's ``<prefix>/.sitekeeper/``
is moved out on the first publish.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from .. import aws
from ..errors import DeployError
from ..settings import tuning
from ..state.store import S3Store, Store
from . import faults
from .headers import headers_for
from .plan import RemoteEntry, is_private
from .remote import SendItem, hashing_reader
from .target_state import OLD_STATE, LockFile, OldState, WorkspaceStore, beside_name, state_in_workspace

PART_SIZE = 16 << 20
INVALIDATION_MAX_PATHS = 15


class S3Remote(LockFile):
    def __init__(self, target, client: str, reporter, workspace_store: WorkspaceStore | None = None):
        self.target, self.client, self.reporter = target, client, reporter
        self.name = target.name
        self.bucket = target.bucket
        self.prefix = target.path
        self.workspace_store = workspace_store
        # The state goes beside the site's prefix (a sibling prefix is never served with it);
        # a site at the bucket's root has nothing beside it: the workspace store then.
        parent, _, base = self.prefix.rpartition("/")
        self.why = 'state = "store"' if target.state == "store" else (
            "" if self.prefix else "the site is the bucket's root, so nothing can live beside it")
        self.state = None if self.why else (f"{parent}/" if parent else "") + beside_name(base) + "/"
        self.rules = target.cache_control
        try:
            self.session = aws.session(target.profile, target.region)
        except aws.errors() as exc:
            raise self._err(f"AWS profile {target.profile!r} cannot be used ({exc})",
                            "check the profile name in ~/.aws/config, or remove `profile`") from exc
        if not aws.has_credentials(self.session):
            raise self._err("no AWS credentials found",
                            "set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (or AWS_PROFILE) in the environment "
                            "that runs sitekeeper, or configure `aws configure`")
        try:
            self.s3 = aws.client("s3", sess=self.session, endpoint_url=target.endpoint_url, pool=tuning().s3_workers + 4)
        except aws.errors() as exc:
            raise self._map(exc, "opening the S3 client") from exc
        self._check_bucket()
        label, table = f"{client}: target {self.name}", f"[deploy.{self.name}]"
        self._store: Store | None = None
        if self.state is not None:
            self._store = S3Store(self.s3, self.bucket, self.state, error=DeployError, label=label, table=table)
        old = f"{self.prefix}/{OLD_STATE}/" if self.prefix else f"{OLD_STATE}/"
        self.old_state = OldState(S3Store(self.s3, self.bucket, old, error=DeployError, label=label, table=table),
                                  self._any_key(old))

    def _err(self, message: str, fix: str) -> DeployError:
        return DeployError(f"{self.client}: target {self.name} ({self.target.url}): {message}", fix)

    def _map(self, exc: BaseException, what: str) -> DeployError:
        message, fix = aws.explain(exc, what, bucket=self.bucket, table=f"[deploy.{self.name}]")
        return self._err(message, fix)

    def _check_bucket(self) -> None:
        try:
            self.s3.head_bucket(Bucket=self.bucket)
        except aws.errors() as exc:
            raise self._map(exc, "checking the bucket") from exc

    def key(self, path: str) -> str:
        return f"{self.prefix}/{path}" if self.prefix else path

    def headers_for(self, path: str) -> dict[str, str]:
        return headers_for(path, self.rules)

    def state_store(self) -> Store:
        if self._store is None:  # opened on first use: a read-only user (an import) needs none
            self._store = state_in_workspace(self.workspace_store, self.client, self.target, self.reporter, self.why)
        return self._store

    def _any_key(self, prefix: str) -> bool:
        try:
            return bool(self.s3.list_objects_v2(Bucket=self.bucket, Prefix=prefix, MaxKeys=1).get("KeyCount"))
        except aws.errors() as exc:
            raise self._map(exc, "listing the bucket") from exc

    # ---------------------------------------------------------------- state (target_state.py)

    def move_old_state(self) -> None:
        """Take ``<prefix>/.sitekeeper/`` (an older layout) out of the site's prefix."""
        old = self.old_state
        if not old.present:
            return
        old.check_unlocked(self.client, self.name)
        old.move_to(self.state_store())
        self.reporter.info(f"{self.client}: target {self.name}: moved its state out of the site's prefix "
                           f"({old.store.describe('')} -> {self.state_store().describe('')}); the prefix now holds "
                           "only the site")

    def list_files(self) -> dict[str, RemoteEntry]:
        out = {}
        start = f"{self.prefix}/" if self.prefix else ""
        try:
            for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=start):
                for obj in page.get("Contents", []):
                    rel = obj["Key"][len(start):]
                    if rel and not is_private(rel) and not rel.endswith("/"):
                        out[rel] = RemoteEntry(int(obj["Size"]), obj.get("ETag", ""))
        except aws.errors() as exc:
            raise self._map(exc, "listing the bucket") from exc
        return out

    # ---------------------------------------------------------------- changes

    def prepare(self, plan, release, keep=(), resent=None) -> None:
        pass

    def _put(self, item: SendItem) -> str:
        headers = item.headers or self.headers_for(item.upload.path)
        extra = {"ContentType": headers["Content-Type"], "CacheControl": headers["Cache-Control"],
                 "Metadata": {"sha256": item.sha256}}
        key = self.key(item.upload.path)
        if item.upload.size <= tuning().s3_multipart_threshold:
            body = b"".join(hashing_reader(item.source, item.sha256, self.client))
            faults.hit("mid-upload")
            return self.s3.put_object(Bucket=self.bucket, Key=key, Body=body, **extra)["ETag"]
        upload_id = self.s3.create_multipart_upload(Bucket=self.bucket, Key=key, **extra)["UploadId"]
        try:
            parts, buf, number = [], bytearray(), 1
            for block in hashing_reader(item.source, item.sha256, self.client, PART_SIZE):
                buf += block
                while len(buf) >= PART_SIZE:
                    r = self.s3.upload_part(Bucket=self.bucket, Key=key, UploadId=upload_id, PartNumber=number,
                                            Body=bytes(buf[:PART_SIZE]))
                    parts.append({"ETag": r["ETag"], "PartNumber": number})
                    del buf[:PART_SIZE]
                    number += 1
                    faults.hit("mid-upload")
            if buf or not parts:
                r = self.s3.upload_part(Bucket=self.bucket, Key=key, UploadId=upload_id, PartNumber=number,
                                        Body=bytes(buf))
                parts.append({"ETag": r["ETag"], "PartNumber": number})
            return self.s3.complete_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id,
                                                     MultipartUpload={"Parts": parts})["ETag"]
        except BaseException:
            try:
                self.s3.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id)
            except Exception:
                pass
            raise

    def upload(self, items: list[SendItem], done) -> None:
        def send(item: SendItem) -> None:
            try:
                etag = self._put(item)
            except aws.errors() as exc:
                raise self._map(exc, f"uploading {item.upload.path}") from exc
            done(item, etag)

        if len(items) <= 1:
            for item in items:
                send(item)
            return
        with ThreadPoolExecutor(max_workers=min(tuning().s3_workers, len(items))) as pool:
            for fut in [pool.submit(send, item) for item in items]:
                fut.result()

    def delete(self, paths: list[str]) -> None:
        for i in range(0, len(paths), 1000):
            batch = paths[i:i + 1000]
            try:
                r = self.s3.delete_objects(Bucket=self.bucket, Delete={
                    "Objects": [{"Key": self.key(p)} for p in batch], "Quiet": True})
            except aws.errors() as exc:
                raise self._map(exc, "deleting files") from exc
            if r.get("Errors"):
                first = r["Errors"][0]
                raise self._err(f"could not delete {len(r['Errors'])} files, e.g. {first.get('Key')} "
                                f"({first.get('Code')})", "check the credentials' s3:DeleteObject permission")

    def finish(self, plan, release: str, uploaded: list[str], deleted: list[str]) -> None:
        dist = self.target.cloudfront_distribution_id
        replaced = {u.path for u in plan.uploads if u.reason != "new"}  # new files were never cached
        changed = [p for p in uploaded if p in replaced] + list(deleted)
        if not dist or not changed:
            return
        paths = invalidation_paths(changed)
        try:
            cf = aws.client("cloudfront", sess=self.session, endpoint_url=tuning().cloudfront_endpoint)
            cf.create_invalidation(DistributionId=dist, InvalidationBatch={
                "Paths": {"Quantity": len(paths), "Items": paths}, "CallerReference": release})
            self.reporter.info(f"{self.client}: CloudFront invalidation of {len(paths)} paths requested")
        except aws.errors() as exc:
            self.reporter.warn(f"{self.client}: files are published, but the CloudFront invalidation failed "
                               f"({exc}); visitors may see cached pages until they expire. Fix: check "
                               "cloudfront_distribution_id and the credentials' cloudfront:CreateInvalidation")

    def close(self) -> None:
        pass


def invalidation_paths(paths: list[str], limit: int = INVALIDATION_MAX_PATHS) -> list[str]:
    """URL paths to invalidate: exact ones when few, collapsed to folder wildcards when many."""
    urls = set()
    for p in paths:
        urls.add("/" + p)
        if p == "index.html" or p.endswith("/index.html"):
            urls.add("/" + p[: -len("index.html")])
    if len(urls) <= limit:
        return sorted(urls)
    tops = {("/" + u.strip("/").split("/", 1)[0] + "/*") if "/" in u.strip("/") else u for u in urls}
    if len(tops) <= limit:
        return sorted(tops)
    return ["/*"]
