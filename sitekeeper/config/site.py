"""Workspace discovery and site.toml loading.

``find_workspace`` walks up from a folder to the one holding ``sites/`` or
``sitekeeper.toml``. ``load_site`` reads ``sites/<client>/site.toml`` into a frozen
``SiteConfig`` and validates all of it at once: every problem is a Diagnostic with the
line of the key, what is wrong and the fix; unknown keys get a did-you-mean.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping
from zoneinfo import ZoneInfo

from . import secrets
from .clock import BadDate, get_zone
from .errors import Problems, ProblemsError, UnknownClientError, WorkspaceNotFound, did_you_mean, rel

CLIENT_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
LANG_RE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?$")
COLOR_RE = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")

TOP_KEYS = {"name", "base_url", "languages", "timezone", "description", "deploy", "mail", "theme"}
THEME_KEYS = {"primary_color", "accent_color", "logo", "tagline", "favicon"}
MAIL_KEYS = {
    "from", "reply_to", "postal_address", "transport", "tls", "username_env", "password_env",
    "rate_per_second", "unsubscribe_mailto", "unsubscribe_url", "imap", "imap_user_env",
    "imap_password_env", "ses_events_queue", "require_consent", "utm", "region", "endpoint_url",
    "configuration_set",
}
DEPLOY_KEYS = {
    "url", "host_key", "known_hosts", "key_file", "password_env", "mode", "region", "endpoint_url",
    "cache_control", "cloudfront_distribution_id", "profile", "max_deletes", "keep_releases",
}
WORKSPACE_KEYS = {"state", "defaults"}


# ---------------------------------------------------------------- TOML line numbers

_HEADER_RE = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_KEY_RE = re.compile(r"""^\s*("[^"]*"|'[^']*'|[A-Za-z0-9_.-]+)\s*=""")


def toml_lines(text: str) -> dict[tuple[str, str], int]:
    """Map (table, key) -> line for a TOML text; the table itself is (table, "")."""
    lines: dict[tuple[str, str], int] = {}
    table = ""
    for no, line in enumerate(text.splitlines(), 1):
        m = _HEADER_RE.match(line)
        if m:
            table = ".".join(p.strip().strip("\"'") for p in m.group(1).split("."))
            lines.setdefault((table, ""), no)
            continue
        m = _KEY_RE.match(line)
        if m:
            key = m.group(1).strip("\"'")
            # dotted keys: a.b = 1 inside [t] is key b of table t.a
            parts = key.split(".")
            t = ".".join([table] + parts[:-1]).strip(".")
            lines.setdefault((t, parts[-1]), no)
    return lines


def _toml_error_line(exc: tomllib.TOMLDecodeError) -> int | None:
    m = re.search(r"line (\d+)", str(exc))
    return int(m.group(1)) if m else None


# ---------------------------------------------------------------- data


@dataclass(frozen=True)
class Theme:
    primary_color: str = "#2f5d50"
    """Brand colour for the header, links and buttons."""
    accent_color: str = "#c8553d"
    """Second colour for the promotion banner."""
    logo: str | None = None
    """Path of the logo relative to the site folder (usually static/...)."""
    tagline: str = ""
    """A short line under the name."""
    favicon: str | None = None
    """Path of a favicon relative to the site folder."""


@dataclass(frozen=True)
class SiteConfig:
    client: str
    """The client's folder name."""
    root: Path
    """sites/<client>."""
    path: str
    """site.toml relative to the workspace, for messages."""
    name: str
    """The business name."""
    base_url: str
    """https://... without a trailing slash."""
    languages: tuple[str, ...]
    """Languages; the first is the default and lives at /."""
    timezone: str
    """IANA zone that all content dates are read in."""
    description: str = ""
    """Default meta description."""
    theme: Theme = field(default_factory=Theme)
    """Look of the built-in theme and emails."""
    deploy: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """Named deploy targets in file order; the first is the default."""
    mail: Mapping[str, Any] = field(default_factory=dict)
    """The [mail] table as written (validated keys)."""
    lines: Mapping[tuple[str, str], int] = field(default_factory=dict)
    """(table, key) -> line in site.toml, for later diagnostics."""

    @property
    def default_language(self) -> str:
        return self.languages[0]

    @property
    def tz(self) -> ZoneInfo:
        return get_zone(self.timezone)

    @property
    def content_dir(self) -> Path:
        return self.root / "content"

    @property
    def static_dir(self) -> Path:
        return self.root / "static"

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"

    def line_of(self, table: str, key: str = "") -> int | None:
        return self.lines.get((table, key))


@dataclass(frozen=True)
class Workspace:
    root: Path
    """The folder holding sites/ (and maybe sitekeeper.toml)."""
    settings: Mapping[str, Any] = field(default_factory=dict)
    """sitekeeper.toml as read."""

    @property
    def sites_dir(self) -> Path:
        return self.root / "sites"

    @property
    def campaigns_dir(self) -> Path:
        return self.root / "campaigns"

    @property
    def state_dir(self) -> Path:
        state = self.settings.get("state", ".sitekeeper/state")
        return self.root / state if "://" not in state else self.root / ".sitekeeper" / "state"

    @property
    def cache_dir(self) -> Path:
        return self.root / ".sitekeeper" / "cache"

    def clients(self) -> list[str]:
        if not self.sites_dir.is_dir():
            return []
        return sorted(
            p.name for p in self.sites_dir.iterdir() if p.is_dir() and (p / "site.toml").is_file()
        )

    def rel(self, path) -> str:
        return rel(path, self.root)

    def require_client(self, client: str) -> Path:
        known = self.clients()
        if client not in known:
            hint = did_you_mean(client, known)
            listing = ", ".join(known) if known else "none yet (create one with `sitekeeper new client NAME`)"
            raise UnknownClientError(
                f"unknown client {client!r}{': ' + hint if hint else ''}; known clients: {listing}"
            )
        return self.sites_dir / client


def find_workspace(start: Path | None = None) -> Workspace:
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "sitekeeper.toml").is_file() or (folder / "sites").is_dir():
            return Workspace(folder, _load_workspace_settings(folder))
    raise WorkspaceNotFound(
        f"no sitekeeper workspace at or above {here}: a workspace is a folder holding sites/ "
        "(one folder per client) or a sitekeeper.toml; cd into one, or create sites/<client>/site.toml"
    )


def _load_workspace_settings(root: Path) -> dict:
    path = root / "sitekeeper.toml"
    if not path.is_file():
        return {}
    text = path.read_text(encoding="utf-8")
    problems = Problems()
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProblemsError(
            [_diag("sitekeeper.toml", _toml_error_line(exc), f"not valid TOML: {exc}", "fix the syntax at that line")]
        )
    lines = toml_lines(text)
    for key in data:
        if key not in WORKSPACE_KEYS:
            hint = did_you_mean(key, WORKSPACE_KEYS)
            problems.error("sitekeeper.toml", lines.get(("", key)), f"unknown key `{key}`",
                           hint or f"known keys: {', '.join(sorted(WORKSPACE_KEYS))}")
    _scan_secrets_toml(data, lines, "sitekeeper.toml", problems)
    for line, kind in secrets.scan_text(text):
        problems.error("sitekeeper.toml", line, f"{kind} is written in this file", secrets.FIX_MATERIAL)
    problems.raise_if_errors()
    return data


def _diag(path, line, message, fix=""):
    from .errors import Diagnostic

    return Diagnostic(str(path), line, message, fix)


def _scan_secrets_toml(data: Mapping, lines, path: str, problems: Problems, table: str = "") -> None:
    for key, value in data.items():
        if isinstance(value, dict):
            _scan_secrets_toml(value, lines, path, problems, f"{table}.{key}".strip("."))
        elif secrets.is_secret_key(key) and isinstance(value, str) and value:
            problems.error(path, lines.get((table, key)), f"`{key}` holds a literal secret", secrets.FIX_KEY)


def _check_keys(table: Mapping, known: set[str], table_name: str, lines, path: str, problems: Problems) -> None:
    for key in table:
        if key not in known and not secrets.is_secret_key(key):
            hint = did_you_mean(key, known)
            where = f"[{table_name}]" if table_name else "site.toml"
            problems.error(
                path, lines.get((table_name, key)), f"unknown key `{key}` in {where}",
                hint or f"known keys: {', '.join(sorted(known))}",
            )


def parse_site(client: str, root: Path, text: str, relpath: str) -> tuple[SiteConfig | None, list]:
    """Parse and validate a site.toml text. Returns (config or None, diagnostics)."""
    problems = Problems()
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        problems.error(relpath, _toml_error_line(exc), f"not valid TOML: {exc}",
                       "fix the syntax at that line (strings need quotes, tables are [name])")
        return None, problems.items
    lines = toml_lines(text)

    for line, kind in secrets.scan_text(text):
        problems.error(relpath, line, f"{kind} is written in this file", secrets.FIX_MATERIAL)
    _scan_secrets_toml(data, lines, relpath, problems)
    _check_keys(data, TOP_KEYS, "", lines, relpath, problems)

    def need_str(table: Mapping, key: str, tname: str, fix: str) -> str:
        value = table.get(key)
        if value is None:
            problems.error(relpath, lines.get((tname, "")) or 1, f"`{key}` is missing", fix)
            return ""
        if not isinstance(value, str) or not value.strip():
            problems.error(relpath, lines.get((tname, key)), f"`{key}` must be a non-empty string", fix)
            return ""
        return value

    name = need_str(data, "name", "", 'add `name = "Business Name"` at the top of site.toml')
    base_url = need_str(data, "base_url", "", 'add `base_url = "https://www.example.com"`')
    if base_url and not re.match(r"^https?://[^/\s]+(/\S*)?$", base_url):
        problems.error(relpath, lines.get(("", "base_url")), f"`base_url` {base_url!r} is not an http(s) URL",
                       'write it as `base_url = "https://www.example.com"`')
    base_url = base_url.rstrip("/")

    languages = data.get("languages", ["en"])
    if not isinstance(languages, list) or not languages or not all(isinstance(x, str) for x in languages):
        problems.error(relpath, lines.get(("", "languages")), "`languages` must be a list of language codes",
                       'write it as `languages = ["en"]` or `languages = ["de", "en"]` (the first is the default)')
        languages = ["en"]
    for lang in languages:
        if not LANG_RE.match(lang):
            problems.error(relpath, lines.get(("", "languages")), f"{lang!r} is not a language code",
                           "use ISO 639-1 codes such as en, de, ro, cs")
    if len(set(languages)) != len(languages):
        problems.error(relpath, lines.get(("", "languages")), "`languages` lists a language twice", "list each once")

    tzname = data.get("timezone", "UTC")
    try:
        if not isinstance(tzname, str):
            raise BadDate("not a string")
        get_zone(tzname)
    except BadDate:
        problems.error(relpath, lines.get(("", "timezone")), f"unknown timezone {tzname!r}",
                       'use an IANA zone name such as "Europe/Berlin" or "America/New_York"')
        tzname = "UTC"

    theme_data = data.get("theme", {})
    theme = Theme()
    if not isinstance(theme_data, dict):
        problems.error(relpath, lines.get(("", "theme")), "`theme` must be a table", "write it as [theme]")
    else:
        _check_keys(theme_data, THEME_KEYS, "theme", lines, relpath, problems)
        for key in ("primary_color", "accent_color"):
            if key in theme_data and not (isinstance(theme_data[key], str) and COLOR_RE.match(theme_data[key])):
                problems.error(relpath, lines.get(("theme", key)), f"`{key}` must be a hex colour",
                               f'write it as `{key} = "#8a4b2a"`')
        for key in ("logo", "favicon"):
            if key in theme_data:
                value = theme_data[key]
                if not isinstance(value, str) or not (root / value).is_file():
                    problems.error(relpath, lines.get(("theme", key)), f"`{key}` file {value!r} does not exist",
                                   f"put the file in sites/{client}/static/ and write its path, e.g. \"static/logo.png\"")
        known = {k: v for k, v in theme_data.items() if k in THEME_KEYS and isinstance(v, str)}
        theme = Theme(**known)

    deploy = data.get("deploy", {})
    deploy_ok: dict[str, Mapping] = {}
    if not isinstance(deploy, dict):
        problems.error(relpath, lines.get(("", "deploy")), "`deploy` must be tables [deploy.NAME]",
                       'write a target as [deploy.production] with url = "sftp://..."')
    else:
        for tname, target in deploy.items():
            tpath = f"deploy.{tname}"
            if not isinstance(target, dict):
                problems.error(relpath, lines.get(("deploy", tname)), f"`deploy.{tname}` must be a table",
                               f"write it as [deploy.{tname}] with url = ...")
                continue
            _check_keys(target, DEPLOY_KEYS, tpath, lines, relpath, problems)
            if "url" not in target:
                problems.error(relpath, lines.get((tpath, "")), f"[deploy.{tname}] has no `url`",
                               'add url = "sftp://user@host/path", "s3://bucket/prefix" or "dir:path"')
            else:
                try:
                    from .deploy.targets import validate_target  # light: no SDK imports
                except ImportError:  # pragma: no cover - during partial installs
                    validate_target = None
                if validate_target is not None:
                    for line_key, message, fix in validate_target(tname, target):
                        problems.error(relpath, lines.get((tpath, line_key)) or lines.get((tpath, "")), message, fix)
            deploy_ok[tname] = MappingProxyType(dict(target))

    mail = data.get("mail", {})
    if not isinstance(mail, dict):
        problems.error(relpath, lines.get(("", "mail")), "`mail` must be a table", "write it as [mail]")
        mail = {}
    else:
        _check_keys(mail, MAIL_KEYS, "mail", lines, relpath, problems)
        try:
            from .mail.settings import validate_mail  # light: no SDK imports
        except ImportError:  # pragma: no cover
            validate_mail = None
        if validate_mail is not None:
            for line_key, message, fix in validate_mail(mail):
                problems.error(relpath, lines.get(("mail", line_key)) or lines.get(("mail", "")), message, fix)

    description = data.get("description", "")
    if not isinstance(description, str):
        problems.error(relpath, lines.get(("", "description")), "`description` must be a string", "quote it")
        description = ""

    if problems.errors:
        return None, problems.items
    cfg = SiteConfig(
        client=client, root=root, path=relpath, name=name, base_url=base_url,
        languages=tuple(languages), timezone=tzname, description=description, theme=theme,
        deploy=MappingProxyType(deploy_ok), mail=MappingProxyType(dict(mail)),
        lines=MappingProxyType(lines),
    )
    return cfg, problems.items


def load_site(ws: Workspace, client: str) -> SiteConfig:
    root = ws.require_client(client)
    path = root / "site.toml"
    if not CLIENT_RE.match(client):
        raise ProblemsError([_diag(ws.rel(root), None, f"client name {client!r} is not valid",
                                   "rename the folder to lowercase letters, digits and -")])
    cfg, diags = parse_site(client, root, path.read_text(encoding="utf-8"), ws.rel(path))
    if cfg is None:
        raise ProblemsError(diags)
    return cfg
