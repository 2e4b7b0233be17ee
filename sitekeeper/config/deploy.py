"""The [deploy.NAME] tables of site.toml: parsed and validated once, without any SDK.

A target is chosen by the scheme of its ``url``:

- ``dir:PATH``                      a local folder (relative to the workspace root)
- ``sftp://user@host:port/path``    a docroot over SFTP (sitekeeper.deploy.sftp, paramiko)
- ``ftps://user@host:port/path``    a docroot over FTP with TLS (sitekeeper.deploy.ftps, ftplib):
                                    explicit (AUTH TLS, port 21) or ``tls = "implicit"`` (port 990)
- ``ftp://user@host:port/path``     plain FTP: refused unless the host is a loopback address or
                                    ``allow_plain_ftp = true`` (the password travels in clear)
- ``s3://bucket/prefix``            an S3 or S3-compatible bucket (sitekeeper.deploy.s3, boto3)

``state`` says where a target's manifest, journals and lock live, never inside the docroot:
``"target"`` (the default: beside it, in ``.sitekeeper-<docroot name>``, falling back to the
workspace state store when the account cannot write there or, on S3, when the site is the
bucket's root) or ``"store"`` (always the workspace state store, sitekeeper.toml ``state``).

``parse_deploy`` runs while site.toml loads, so a typo in a URL is reported with its line
before anything connects, and ``SiteConfig.deploy`` holds finished ``Target`` values. With
no ``[deploy.*]`` table a site deploys to the embedded default ``dir:public/<client>``.
"""
from __future__ import annotations

import dataclasses
import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping, Protocol
from urllib.parse import unquote, urlsplit

from .hosts import is_loopback
from ..errors import DeployError, Problems
from .toml import Lines, check_keys

SCHEMES = ("dir", "sftp", "ftps", "ftp", "s3")
REMOTE_SCHEMES = ("sftp", "ftps", "ftp")  # user@host:port/path
DEFAULT_PORTS = {"sftp": 22, "ftps": 21, "ftp": 21}
TLS_MODES = ("explicit", "implicit")
STATE_PLACES = ("target", "store")
MODES = ("in-place", "atomic")
DEPLOY_KEYS = {
    "url", "host_key", "known_hosts", "key_file", "password_env", "mode", "region", "endpoint_url",
    "cache_control", "cloudfront_distribution_id", "profile", "max_deletes", "keep_releases",
    "tls", "cert_fingerprint", "allow_plain_ftp", "state", "lock", "public_url", "verify_hours",
}
_BUCKET_RE = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_FINGERPRINT_RE = re.compile(r"^SHA256:[A-Za-z0-9+/]{43}=?$")
_CERT_FP_RE = re.compile(r"^SHA256:(?:[0-9A-Fa-f]{2}:?){31}[0-9A-Fa-f]{2}$")
_ENV_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
DEFAULT_TARGET = "default"


def is_bucket_name(name: str) -> bool:
    return bool(_BUCKET_RE.match(name)) and ".." not in name


@dataclass(frozen=True)
class Target:
    name: str
    """The [deploy.NAME] table name ("default" for the embedded dir: target)."""
    kind: str
    """"dir", "sftp", "ftps", "ftp" or "s3"."""
    url: str
    """The url as written."""
    path: str = ""
    """dir: the folder; sftp: the docroot; s3: the key prefix without slashes at the ends."""
    host: str = ""
    """sftp/ftps/ftp: host name or address."""
    port: int = 22
    """sftp/ftps/ftp: TCP port (22, or 21; 990 for implicit TLS, unless the url says)."""
    user: str = ""
    """sftp/ftps/ftp: login name."""
    bucket: str = ""
    """s3: bucket name."""
    options: Mapping[str, Any] = field(default_factory=dict)
    """The whole [deploy.NAME] table (host_key, key_file, mode, cache_control, ...), validated."""
    source: str = ""
    """site.toml relative to the workspace ("" for a target not read from a file)."""
    url_line: int | None = None
    """The line of `url` in site.toml, for messages about this target."""

    @property
    def mode(self) -> str:
        return str(self.options.get("mode", "in-place"))

    # Typed views of the validated table (validate_target has checked each type).
    @property
    def host_keys(self) -> tuple[str, ...]:
        """sftp: pinned SHA256 fingerprints (without trailing '=')."""
        pinned = self.options.get("host_key")
        pins = pinned if isinstance(pinned, list) else [pinned] if pinned else []
        return tuple(p.strip().rstrip("=") for p in pins)

    @property
    def known_hosts(self) -> str:
        return self.options.get("known_hosts") or "~/.ssh/known_hosts"

    @property
    def key_file(self) -> str | None:
        return self.options.get("key_file")

    @property
    def password_env(self) -> str | None:
        return self.options.get("password_env")

    @property
    def tls(self) -> str:
        """ftps: "explicit" (AUTH TLS) or "implicit" (TLS from the first byte)."""
        return str(self.options.get("tls", "explicit"))

    @property
    def cert_fingerprint(self) -> str | None:
        """ftps: the pinned SHA256 of the server certificate, as lowercase hex without colons."""
        fp = self.options.get("cert_fingerprint")
        return normalize_cert_fingerprint(fp) if fp else None

    @property
    def allow_plain_ftp(self) -> bool:
        return bool(self.options.get("allow_plain_ftp", False))

    @property
    def state(self) -> str:
        """Where the manifest, journals and lock live: "target" or "store"."""
        return str(self.options.get("state", "target"))

    @property
    def keep_releases(self) -> int:
        return int(self.options.get("keep_releases", 5))

    @property
    def max_deletes(self) -> int | None:
        return self.options.get("max_deletes")

    @property
    def cache_control(self) -> Mapping[str, str]:
        return self.options.get("cache_control") or {}

    @property
    def profile(self) -> str | None:
        return self.options.get("profile")

    @property
    def region(self) -> str | None:
        return self.options.get("region")

    @property
    def endpoint_url(self) -> str | None:
        return self.options.get("endpoint_url")

    @property
    def cloudfront_distribution_id(self) -> str | None:
        return self.options.get("cloudfront_distribution_id")

    @property
    def public_url(self) -> str | None:
        """Where visitors reach this target's docroot (https://..., no trailing slash), when
        it is not the site's base_url: the start of a private preview's link."""
        url = self.options.get("public_url")
        return url.rstrip("/") if url else None

    def label(self) -> str:
        """The URL for messages (never holds a secret: passwords are not allowed in URLs)."""
        return self.url


def normalize_cert_fingerprint(fp: str) -> str:
    """SHA256:AB:CD:... (as openssl prints it) -> "abcd..." (64 hex digits)."""
    return fp.strip().partition(":")[2].replace(":", "").lower()


def format_cert_fingerprint(hex_digest: str) -> str:
    """64 hex digits -> SHA256:AB:CD:... (as `openssl x509 -fingerprint -sha256` prints it)."""
    h = hex_digest.upper()
    return "SHA256:" + ":".join(h[i:i + 2] for i in range(0, len(h), 2))


class BadTarget(ValueError):
    def __init__(self, key: str, message: str, fix: str):
        super().__init__(message)
        self.key, self.message, self.fix = key, message, fix


_KNOWN_URLS = 'use "sftp://user@host/path", "ftps://user@host/path", "s3://bucket/prefix" or "dir:path"'


def parse_url(name: str, url: Any) -> dict[str, Any]:
    """Split a target URL into its parts, or raise BadTarget(key, message, fix)."""
    where = f"[deploy.{name}] url"
    if not isinstance(url, str) or not url.strip():
        raise BadTarget("url", f"{where} must be a non-empty string",
                        _KNOWN_URLS)
    scheme, sep, rest = url.partition(":")
    if not sep or scheme.lower() not in SCHEMES:
        hint = _scheme_hint(scheme.lower())
        raise BadTarget("url", f"{where} {url!r} has an unknown scheme {scheme + ':' if sep else ''!r}",
                        hint + _KNOWN_URLS)
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
    if scheme in REMOTE_SCHEMES:
        example = f"{scheme}://user@host:{DEFAULT_PORTS[scheme]}/path"
        if parts.password is not None:
            raise BadTarget("url", f"{where} holds a password",
                            "remove it from the URL and name an environment variable with password_env = \"VAR\"")
        host = parts.hostname or ""
        if not host:
            raise BadTarget("url", f"{where} {url!r} names no host", f'write it as "{example}"')
        try:
            port = parts.port
        except ValueError:
            raise BadTarget("url", f"{where} {url!r} has a bad port",
                            f"the port is a number from 1 to 65535, e.g. {example}") from None
        if port is not None and not 0 < port < 65536:
            raise BadTarget("url", f"{where} {url!r} has a bad port", "the port is a number from 1 to 65535")
        path = unquote(parts.path)
        # An FTP account is often chrooted to the docroot itself: "/" is then the site.
        if path == "" or (path == "/" and scheme == "sftp"):
            raise BadTarget("url", f"{where} {url!r} names no docroot path",
                            f'add the folder the site is served from, e.g. "{scheme}://user@host/public_html"')
        if parts.query or parts.fragment:
            raise BadTarget("url", f"{where} {url!r} has a query or fragment", "remove the part after ? or #")
        user = unquote(parts.username or "")
        if not user:
            raise BadTarget("url", f"{where} {url!r} names no user", f'write it as "{example}"')
        # port None: the scheme's default (990 for implicit TLS), chosen by _target
        return {"kind": scheme, "host": host, "port": parts.port, "user": user, "path": path.rstrip("/") or "/"}
    # s3
    bucket = parts.netloc
    if not bucket:
        raise BadTarget("url", f"{where} {url!r} names no bucket", 'write it as "s3://bucket/prefix"')
    if not is_bucket_name(bucket):
        raise BadTarget("url", f"{where} bucket {bucket!r} is not a valid bucket name",
                        "bucket names are 3-63 lowercase letters, digits, dots and hyphens")
    return {"kind": "s3", "bucket": bucket, "path": unquote(parts.path).strip("/")}


def validate_target(name: str, table: dict[str, Any]) -> list[tuple[str, str, str]]:
    """Problems of one [deploy.NAME] table as (key, message, fix)."""
    try:
        parts = parse_url(name, table.get("url"))
    except BadTarget as exc:
        return [(exc.key, exc.message, exc.fix)]
    return _option_problems(name, table, parts["kind"])


def _scheme_hint(scheme: str) -> str:
    if scheme in ("ftpes", "ftp+tls", "ftp-ssl", "ftpssl"):
        return "did you mean `ftps:`? "
    close = difflib.get_close_matches(scheme, SCHEMES, n=1, cutoff=0.5)
    return f"did you mean `{close[0]}:`? " if close else ""


def _option_problems(name: str, table: Mapping[str, Any], kind: str) -> list[tuple[str, str, str]]:
    """Problems of the keys beside `url` of a table whose url is a ``kind`` target."""
    return [problem for check in (_mode_problems, _tls_problems, _key_problems, _value_problems)
            for problem in check(name, table, kind)]


def _mode_problems(name: str, table: Mapping[str, Any], kind: str) -> list[tuple[str, str, str]]:
    """mode, lock and state."""
    problems: list[tuple[str, str, str]] = []
    t = f"[deploy.{name}]"
    mode = table.get("mode", "in-place")
    if mode not in MODES:
        problems.append(("mode", f"{t} mode {mode!r} is not known", 'use mode = "in-place" or mode = "atomic"'))
    elif mode == "atomic" and kind != "sftp":  # FTP has no symlinks to switch
        problems.append(("mode", f"{t} mode = \"atomic\" needs an sftp:// target",
                         "remove `mode` (S3, FTP and dir: targets switch file by file, each file atomically; "
                         "FTP has no symlinks to switch a whole release)"))
    if table.get("lock", "target") not in ("target", "local"):
        problems.append(("lock", f"{t} lock {table.get('lock')!r} is not known",
                         'write lock = "target" (the default) or lock = "local" (a lock on this machine, only for '
                         "an S3-compatible store without conditional writes that one machine publishes to)"))
    state = table.get("state", "target")
    if state not in STATE_PLACES:
        problems.append(("state", f"{t} state {state!r} is not known",
                         'use state = "target" (beside the docroot) or state = "store" (the workspace state '
                         'store of sitekeeper.toml)'))
    return problems


def _tls_problems(name: str, table: Mapping[str, Any], kind: str) -> list[tuple[str, str, str]]:
    """tls, cert_fingerprint and plain FTP."""
    problems: list[tuple[str, str, str]] = []
    t = f"[deploy.{name}]"
    if "tls" in table and kind == "ftps" and table["tls"] not in TLS_MODES:
        problems.append(("tls", f"{t} tls {table['tls']!r} is not known",
                         'use tls = "explicit" (AUTH TLS, usually port 21) or tls = "implicit" (port 990)'))
    if "cert_fingerprint" in table:
        fp = table["cert_fingerprint"]
        if not isinstance(fp, str) or not _CERT_FP_RE.match(fp.strip()):
            problems.append(("cert_fingerprint", f"{t} cert_fingerprint {fp!r} is not a SHA256 certificate fingerprint",
                             f"run `sitekeeper trust CLIENT --target {name}` to pin it, or copy the SHA256 value "
                             "`openssl x509 -noout -fingerprint -sha256` prints (SHA256:AB:CD:...)"))
    if "allow_plain_ftp" in table and not isinstance(table["allow_plain_ftp"], bool):
        problems.append(("allow_plain_ftp", f"{t} allow_plain_ftp must be true or false",
                         "write it as allow_plain_ftp = true"))
    if kind == "ftp" and table.get("allow_plain_ftp") is not True:
        try:
            host = urlsplit(table["url"]).hostname or ""
        except ValueError:
            host = ""
        if not is_loopback(host):
            problems.append(("url", f"{t} url {table['url']!r} is plain FTP: the password and every file "
                                    "travel in clear over the network",
                             "use ftps:// (FTP over TLS, which most hosts offer) or sftp://; to send in clear "
                             "anyway, add allow_plain_ftp = true"))
    return problems


def _key_problems(name: str, table: Mapping[str, Any], kind: str) -> list[tuple[str, str, str]]:
    """Whole numbers, keys that do not apply to the kind, SFTP host keys."""
    problems: list[tuple[str, str, str]] = []
    t = f"[deploy.{name}]"
    for key in ("max_deletes", "keep_releases", "verify_hours"):
        if key in table and (not isinstance(table[key], int) or isinstance(table[key], bool) or table[key] < 0):
            problems.append((key, f"{t} `{key}` must be a whole number >= 0", f"write it as {key} = 10"))
    for key in ("host_key", "known_hosts", "key_file", "password_env", "profile", "region",
                "endpoint_url", "cloudfront_distribution_id", "tls", "cert_fingerprint", "allow_plain_ftp"):
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
    return problems


def _value_problems(name: str, table: Mapping[str, Any], kind: str) -> list[tuple[str, str, str]]:
    """Strings, the password variable, the S3 endpoint and cache_control."""
    problems: list[tuple[str, str, str]] = []
    t = f"[deploy.{name}]"
    for key in ("known_hosts", "key_file", "profile", "region", "cloudfront_distribution_id"):
        if key in table and (not isinstance(table[key], str) or not table[key].strip()):
            problems.append((key, f"{t} `{key}` must be a non-empty string", f'write it as {key} = "..."'))
    if "password_env" in table and not (isinstance(table["password_env"], str) and _ENV_RE.match(table["password_env"])):
        problems.append(("password_env", f"{t} password_env must name an environment variable",
                         'write the variable\'s name, e.g. password_env = "BAKERY_SFTP_PASSWORD"'))
    if "public_url" in table:
        pu = table["public_url"]
        if not isinstance(pu, str) or not re.match(r"^https?://[^/\s?#]+(/[^\s?#]*)?$", pu):
            problems.append(("public_url", f"{t} public_url {pu!r} is not an http(s) URL",
                             'write where visitors reach this target\'s folder, e.g. '
                             'public_url = "https://preview.example.com"'))
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
    "host_key": ("sftp",), "known_hosts": ("sftp",), "key_file": ("sftp",),
    "password_env": ("sftp", "ftps", "ftp"),
    "tls": ("ftps",), "cert_fingerprint": ("ftps",), "allow_plain_ftp": ("ftp",),
    "profile": ("s3",), "region": ("s3",), "endpoint_url": ("s3",), "cloudfront_distribution_id": ("s3",),
}


def parse_target(name: str, table: Mapping[str, Any], ws_root: Path | None = None, *,
                 source: str = "", url_line: int | None = None) -> Target:
    """A [deploy.NAME] table as a Target; raises BadTarget for a bad url. The other keys are
    checked by ``validate_target``. With ``ws_root`` a dir: path is made absolute."""
    target = _target(name, table, parse_url(name, table.get("url")), source, url_line)
    return in_workspace(target, ws_root) if ws_root is not None else target


def _target(name: str, table: Mapping[str, Any], parts: dict[str, Any], source: str, url_line: int | None) -> Target:
    parts = dict(parts)
    if parts["kind"] in REMOTE_SCHEMES and parts.get("port") is None:
        implicit = parts["kind"] == "ftps" and table.get("tls") == "implicit"
        parts["port"] = 990 if implicit else DEFAULT_PORTS[parts["kind"]]
    return Target(name=name, url=table["url"], options=MappingProxyType(dict(table)), source=source,
                  url_line=url_line, **parts)


def in_workspace(target: Target, ws_root: Path) -> Target:
    """The target with a relative dir: folder resolved against the workspace root."""
    if target.kind != "dir":
        return target
    p = Path(target.path).expanduser()
    return dataclasses.replace(target, path=str(p if p.is_absolute() else (ws_root / p)))


def parse_deploy(data: Any, lines: Lines, path: str, problems: Problems) -> dict[str, Target]:
    """The [deploy.*] tables of a site.toml as name -> Target in file order; every problem
    goes to ``problems`` at its line. A target with a problem is left out."""
    targets: dict[str, Target] = {}
    if not isinstance(data, dict):
        problems.error(path, lines.get(("", "deploy")), "`deploy` must be tables [deploy.NAME]",
                       'write a target as [deploy.production] with url = "sftp://..."')
        return targets
    for tname, table in data.items():
        tpath = f"deploy.{tname}"
        if not isinstance(table, dict):
            problems.error(path, lines.get(("deploy", tname)), f"`deploy.{tname}` must be a table",
                           f"write it as [deploy.{tname}] with url = ...")
            continue
        check_keys(table, DEPLOY_KEYS, tpath, lines, path, problems)
        if "url" not in table:
            problems.error(path, lines.get((tpath, "")), f"[deploy.{tname}] has no `url`",
                           'add url = "sftp://user@host/path", "s3://bucket/prefix" or "dir:path"')
            continue
        try:
            parts = parse_url(tname, table["url"])
        except BadTarget as exc:
            found = [(exc.key, exc.message, exc.fix)]
        else:
            found = _option_problems(tname, table, parts["kind"])
        for key, message, fix in found:
            problems.error(path, lines.get((tpath, key)) or lines.get((tpath, "")), message, fix)
        if found:
            continue
        targets[tname] = _target(tname, table, parts, path, lines.get((tpath, "url")))
    return targets


class DeploySite(Protocol):
    """What choose_target reads of a site's config (a SiteConfig, which site.py builds from this module)."""

    @property
    def client(self) -> str: ...
    @property
    def path(self) -> str: ...
    @property
    def deploy(self) -> Mapping[str, Target]: ...


def default_target(client: str, ws_root: Path) -> Target:
    return parse_target(DEFAULT_TARGET, {"url": f"dir:public/{client}"}, ws_root)


def choose_target(site: DeploySite, ws_root: Path, name: str | None) -> Target:
    """The named target of a site, its first one, or the embedded dir: default."""
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
    return in_workspace(site.deploy[name], ws_root)
