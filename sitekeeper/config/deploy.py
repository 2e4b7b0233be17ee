"""Deploy target URLs: parsing and validation without importing any SDK.

A target is chosen by the scheme of its ``url``:

- ``dir:PATH``                      a local folder (relative to the workspace root)
- ``sftp://user@host:port/path``    a docroot over SFTP (sitekeeper.deploy.sftp, paramiko)
- ``s3://bucket/prefix``            an S3 or S3-compatible bucket (sitekeeper.deploy.s3, boto3)

With no ``[deploy.*]`` table a site deploys to the embedded default ``dir:public/<client>``.
``validate_target`` is called by config.py at load time, so a typo in a URL is reported
with its line before anything connects.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping
from urllib.parse import unquote, urlsplit

SCHEMES = ("dir", "sftp", "s3")
MODES = ("in-place", "atomic")
_BUCKET_RE = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_FINGERPRINT_RE = re.compile(r"^SHA256:[A-Za-z0-9+/]{43}=?$")
_ENV_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
DEFAULT_TARGET = "default"


@dataclass(frozen=True)
class Target:
    name: str
    """The [deploy.NAME] table name ("default" for the embedded dir: target)."""
    kind: str
    """"dir", "sftp" or "s3"."""
    url: str
    """The url as written."""
    path: str = ""
    """dir: the folder; sftp: the docroot; s3: the key prefix without slashes at the ends."""
    host: str = ""
    """sftp: host name or address."""
    port: int = 22
    """sftp: TCP port."""
    user: str = ""
    """sftp: login name."""
    bucket: str = ""
    """s3: bucket name."""
    options: Mapping[str, Any] = field(default_factory=dict)
    """The whole [deploy.NAME] table (host_key, key_file, mode, cache_control, ...)."""

    @property
    def mode(self) -> str:
        return self.options.get("mode", "in-place")

    def label(self) -> str:
        """The URL for messages (never holds a secret: passwords are not allowed in URLs)."""
        return self.url


class BadTarget(ValueError):
    def __init__(self, key: str, message: str, fix: str):
        super().__init__(message)
        self.key, self.message, self.fix = key, message, fix


def parse_url(name: str, url: Any) -> dict:
    """Split a target URL into its parts, or raise BadTarget(key, message, fix)."""
    where = f"[deploy.{name}] url"
    if not isinstance(url, str) or not url.strip():
        raise BadTarget("url", f"{where} must be a non-empty string",
                        'use "sftp://user@host/path", "s3://bucket/prefix" or "dir:path"')
    scheme, sep, rest = url.partition(":")
    if not sep or scheme.lower() not in SCHEMES:
        import difflib

        close = difflib.get_close_matches(scheme.lower(), SCHEMES, n=1, cutoff=0.5)
        hint = f"did you mean `{close[0]}:`? " if close else ""
        raise BadTarget("url", f"{where} {url!r} has an unknown scheme {scheme + ':' if sep else ''!r}",
                        hint + 'use "sftp://user@host/path", "s3://bucket/prefix" or "dir:path"')
    scheme = scheme.lower()
    if scheme == "dir":
        path = rest[2:] if rest.startswith("//") else rest
        if not path.strip():
            raise BadTarget("url", f"{where} {url!r} names no folder", 'write it as "dir:public/<client>"')
        return {"kind": "dir", "path": path}
    if not rest.startswith("//"):
        raise BadTarget("url", f"{where} {url!r} is missing `//` after `{scheme}:`",
                        f'write it as "{scheme}://..."')
    parts = urlsplit(url)
    if scheme == "sftp":
        if parts.password is not None:
            raise BadTarget("url", f"{where} holds a password",
                            "remove it from the URL and name an environment variable with password_env = \"VAR\"")
        host = parts.hostname or ""
        if not host:
            raise BadTarget("url", f"{where} {url!r} names no host", 'write it as "sftp://user@host:22/path"')
        try:
            port = parts.port or 22
        except ValueError:
            raise BadTarget("url", f"{where} {url!r} has a bad port",
                            "the port is a number from 1 to 65535, e.g. sftp://user@host:2222/path")
        if not 0 < port < 65536:
            raise BadTarget("url", f"{where} {url!r} has a bad port", "the port is a number from 1 to 65535")
        path = unquote(parts.path)
        if path in ("", "/"):
            raise BadTarget("url", f"{where} {url!r} names no docroot path",
                            'add the folder the site is served from, e.g. "sftp://user@host/var/www/site"')
        if parts.query or parts.fragment:
            raise BadTarget("url", f"{where} {url!r} has a query or fragment", "remove the part after ? or #")
        user = unquote(parts.username or "")
        if not user:
            raise BadTarget("url", f"{where} {url!r} names no user", 'write it as "sftp://user@host/path"')
        return {"kind": "sftp", "host": host, "port": port, "user": user,
                "path": path.rstrip("/") or "/"}
    # s3
    bucket = parts.netloc
    if not bucket:
        raise BadTarget("url", f"{where} {url!r} names no bucket", 'write it as "s3://bucket/prefix"')
    if not _BUCKET_RE.match(bucket) or ".." in bucket:
        raise BadTarget("url", f"{where} bucket {bucket!r} is not a valid bucket name",
                        "bucket names are 3-63 lowercase letters, digits, dots and hyphens")
    return {"kind": "s3", "bucket": bucket, "path": unquote(parts.path).strip("/")}


def validate_target(name: str, table: dict) -> list[tuple[str, str, str]]:
    """Problems of one [deploy.NAME] table as (key, message, fix)."""
    problems: list[tuple[str, str, str]] = []
    try:
        parts = parse_url(name, table.get("url"))
    except BadTarget as exc:
        return [(exc.key, exc.message, exc.fix)]
    kind = parts["kind"]
    t = f"[deploy.{name}]"

    mode = table.get("mode", "in-place")
    if mode not in MODES:
        problems.append(("mode", f"{t} mode {mode!r} is not known", 'use mode = "in-place" or mode = "atomic"'))
    elif mode == "atomic" and kind != "sftp":
        problems.append(("mode", f"{t} mode = \"atomic\" needs an sftp:// target",
                         "remove `mode` (S3 and dir: targets switch file by file, each file atomically)"))
    for key in ("max_deletes", "keep_releases"):
        if key in table and (not isinstance(table[key], int) or isinstance(table[key], bool) or table[key] < 0):
            problems.append((key, f"{t} `{key}` must be a whole number >= 0", f"write it as {key} = 10"))
    for key in ("host_key", "known_hosts", "key_file", "password_env", "profile", "region",
                "endpoint_url", "cloudfront_distribution_id"):
        if key in table and kind not in _KEYS_FOR.get(key, SCHEMES):
            problems.append((key, f"{t} `{key}` does not apply to {kind}: targets",
                             f"remove it, or point url at a {' or '.join(_KEYS_FOR[key])} target"))
    if "host_key" in table:
        keys = table["host_key"] if isinstance(table["host_key"], list) else [table["host_key"]]
        for k in keys:
            if not isinstance(k, str) or not _FINGERPRINT_RE.match(k.strip()):
                problems.append(("host_key", f"{t} host_key {k!r} is not a SHA256 fingerprint",
                                 "run `sitekeeper trust CLIENT --target " + name + "` to pin it, or copy "
                                 "the SHA256:... value that `ssh-keygen -lf KEY.pub` prints"))
    for key in ("known_hosts", "key_file", "profile", "region", "cloudfront_distribution_id"):
        if key in table and (not isinstance(table[key], str) or not table[key].strip()):
            problems.append((key, f"{t} `{key}` must be a non-empty string", f'write it as {key} = "..."'))
    if "password_env" in table and not (isinstance(table["password_env"], str) and _ENV_RE.match(table["password_env"])):
        problems.append(("password_env", f"{t} password_env must name an environment variable",
                         'write the variable\'s name, e.g. password_env = "BAKERY_SFTP_PASSWORD"'))
    if "endpoint_url" in table:
        ep = table["endpoint_url"]
        if not isinstance(ep, str) or not re.match(r"^https?://[^/\s]+", ep):
            problems.append(("endpoint_url", f"{t} endpoint_url {ep!r} is not an http(s) URL",
                             'write it as endpoint_url = "https://s3.example.com"'))
    if "cache_control" in table:
        cc = table["cache_control"]
        if kind != "s3":
            problems.append(("cache_control", f"{t} `cache_control` only applies to s3:// targets",
                             "remove it; set caching headers in the web server of an sftp:// host"))
        elif not isinstance(cc, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in cc.items()):
            problems.append(("cache_control", f"{t} `cache_control` must map file patterns to header values",
                             'write it as [deploy.' + name + '.cache_control] with "*.html" = "public, max-age=60"'))
    return problems


_KEYS_FOR = {
    "host_key": ("sftp",), "known_hosts": ("sftp",), "key_file": ("sftp",), "password_env": ("sftp",),
    "profile": ("s3",), "region": ("s3",), "endpoint_url": ("s3",), "cloudfront_distribution_id": ("s3",),
}


def parse_target(name: str, table: Mapping[str, Any], ws_root: Path | None = None) -> Target:
    """A validated [deploy.NAME] table as a Target (config.py has already validated it)."""
    parts = parse_url(name, table.get("url"))
    kind = parts.pop("kind")
    if kind == "dir" and ws_root is not None:
        p = Path(parts["path"]).expanduser()
        parts["path"] = str(p if p.is_absolute() else (ws_root / p))
    return Target(name=name, kind=kind, url=table["url"], options=MappingProxyType(dict(table)), **parts)


def default_target(client: str, ws_root: Path) -> Target:
    return parse_target(DEFAULT_TARGET, {"url": f"dir:public/{client}"}, ws_root)


def choose_target(site, ws_root: Path, name: str | None) -> Target:
    """The named target of a site, its first one, or the embedded dir: default."""
    from ..errors import DeployError

    if not site.deploy:
        if name in (None, DEFAULT_TARGET):
            return default_target(site.client, ws_root)
        raise DeployError(f"{site.client}: no deploy target {name!r}: {site.path} has no [deploy.*] table; "
                          f"add [deploy.{name}] with url = \"sftp://...\" or leave out --target")
    if name is None:
        name = next(iter(site.deploy))
    if name not in site.deploy:
        known = ", ".join(site.deploy)
        raise DeployError(f"{site.client}: no deploy target {name!r} in {site.path}; known targets: {known}")
    return parse_target(name, site.deploy[name], ws_root)
