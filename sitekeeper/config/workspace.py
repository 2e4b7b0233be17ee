"""The workspace: the folder holding sites/, and its optional sitekeeper.toml.

``find_workspace`` walks up from a folder to the one holding ``sites/`` or
``sitekeeper.toml``. ``parse_workspace_settings`` validates sitekeeper.toml all at once
(unknown keys with a did-you-mean, the state store's location, no secrets).
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping
from urllib.parse import urlsplit

from ..errors import Diagnostic, Problems, ProblemsError, UnknownClientError, WorkspaceNotFound, did_you_mean, rel
from . import secrets
from .deploy import is_bucket_name
from .toml import Lines, error_line, read_config_text, toml_lines

CLIENT_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
"""A client's folder name: also a URL word and a DNS label, so 63 characters at most."""
CLIENT_RULE = ("a client's folder name is lowercase letters, digits and -, beginning with a letter or digit, "
               "at most 63 characters, e.g. baeckerei-beispiel")
SETTINGS_FILE = "sitekeeper.toml"
WORKSPACE_KEYS = {"state", "region", "endpoint_url", "defaults", "lock", "max_connections_per_host", "timeouts"}
TIMEOUT_KEYS = {"connect": 20.0, "read": 60.0}
"""[timeouts] keys and their defaults in seconds (sitekeeper.network: what each covers)."""
DEFAULT_STATE = ".sitekeeper/state"
_STATE_FIX = (f'write state = "{DEFAULT_STATE}" (a folder, relative to the workspace or absolute) '
              'or state = "s3://bucket/prefix"')


@dataclass(frozen=True)
class WorkspaceSettings:
    state: str = DEFAULT_STATE
    """Where send ledgers, locks and records live: a folder, or s3://bucket/prefix."""
    region: str | None = None
    """s3:// state: the AWS region."""
    endpoint_url: str | None = None
    """s3:// state: an S3-compatible endpoint."""
    state_line: int | None = None
    """The line of `state` in sitekeeper.toml (None: not written there)."""
    max_connections_per_host: int = 2
    """Connections to one host at once, across every client and worker of a run."""
    connect_timeout: float = TIMEOUT_KEYS["connect"]
    """[timeouts] connect: seconds to connect and log in."""
    read_timeout: float = TIMEOUT_KEYS["read"]
    """[timeouts] read: seconds any later network step may wait for an answer."""

    @property
    def state_is_local(self) -> bool:
        return not self.state.startswith("s3://")


@dataclass(frozen=True)
class Workspace:
    root: Path
    """The folder holding sites/ (and maybe sitekeeper.toml)."""
    settings: Mapping[str, Any] = field(default_factory=dict)
    """sitekeeper.toml as read (validated)."""
    config: WorkspaceSettings = field(default_factory=WorkspaceSettings)
    """sitekeeper.toml, typed."""

    @property
    def sites_dir(self) -> Path:
        return self.root / "sites"

    @property
    def campaigns_dir(self) -> Path:
        return self.root / "campaigns"

    @property
    def state_dir(self) -> Path:
        """The local state folder; an error when the state store is not a folder."""
        if not self.config.state_is_local:
            raise ProblemsError([Diagnostic(
                SETTINGS_FILE, self.config.state_line,
                f"state = {self.config.state!r} is not a local folder, and this needs one",
                f'use a folder for now (state = "{DEFAULT_STATE}")')])
        return self.root / self.config.state

    @property
    def cache_dir(self) -> Path:
        return self.root / ".sitekeeper" / "cache"

    def clients(self) -> list[str]:
        if not self.sites_dir.is_dir():
            return []
        return sorted(
            p.name for p in self.sites_dir.iterdir() if p.is_dir() and (p / "site.toml").is_file()
        )

    def rel(self, path: Path | str) -> str:
        return rel(path, self.root)

    def require_client(self, client: str) -> Path:
        # The common case stats one folder: listing every client here made loading each of N
        # clients cost N stats (a quarter of a million at 500 clients for one tick).
        if CLIENT_RE.match(client):
            folder = self.sites_dir / client
            if (folder / "site.toml").is_file() and folder.is_dir():
                return folder
        known = self.clients()
        if client not in known and not CLIENT_RE.match(client):
            listing = ", ".join(known) if known else "none yet"
            raise UnknownClientError(f"{shorten(client)} is not a client name: {CLIENT_RULE}; known clients: {listing}")
        if client not in known:
            hint = did_you_mean(client, known)
            listing = ", ".join(known) if known else "none yet (create one with `sitekeeper new client NAME`)"
            raise UnknownClientError(
                f"unknown client {client!r}{': ' + hint if hint else ''}; known clients: {listing}"
            )
        return self.sites_dir / client


def shorten(value: str, limit: int = 40) -> str:
    """``value`` quoted for a message, its middle left out when it is long (a 300-character name)."""
    if len(value) <= limit:
        return repr(value)
    return repr(value[:limit - 12] + "…" + value[-8:]) + f" ({len(value)} characters)"


def find_workspace(start: Path | None = None) -> Workspace:
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / SETTINGS_FILE).is_file() or (folder / "sites").is_dir():
            path = folder / SETTINGS_FILE
            if not path.is_file():
                return Workspace(folder)
            data, settings = parse_workspace_settings(read_config_text(path, SETTINGS_FILE))
            return Workspace(folder, MappingProxyType(data), settings)
    raise WorkspaceNotFound(
        f"no sitekeeper workspace at or above {here}: a workspace is a folder holding sites/ "
        "(one folder per client) or a sitekeeper.toml; cd into one, or create sites/<client>/site.toml"
    )


def parse_workspace_settings(text: str) -> tuple[dict[str, Any], WorkspaceSettings]:
    """(the table as read, typed settings) of a sitekeeper.toml text; raises ProblemsError
    with every problem."""
    path = SETTINGS_FILE
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProblemsError([Diagnostic(path, error_line(exc), f"not valid TOML: {exc}", "fix the syntax at that line")]) from exc
    problems = Problems()
    lines = toml_lines(text)
    for key in data:
        if key not in WORKSPACE_KEYS:
            hint = did_you_mean(key, WORKSPACE_KEYS)
            problems.error(path, lines.get(("", key)), f"unknown key `{key}`",
                           hint or f"known keys: {', '.join(sorted(WORKSPACE_KEYS))}")
    secrets.scan_table(data, lines, path, problems)
    for line, kind in secrets.scan_text(text):
        problems.error(path, line, f"{kind} is written in this file", secrets.FIX_MATERIAL)

    state = data.get("state", DEFAULT_STATE)
    state_line = lines.get(("", "state"))
    if not isinstance(state, str) or not state.strip():
        problems.error(path, state_line, "`state` must be a folder or an s3:// URL", _STATE_FIX)
        state = DEFAULT_STATE
    elif state.startswith("s3://"):
        parts = urlsplit(state)
        if not is_bucket_name(parts.netloc):
            problems.error(path, state_line, f"state {state!r} names no valid bucket",
                           'write it as state = "s3://bucket/prefix" (bucket names are 3-63 lowercase '
                           "letters, digits, dots and hyphens)")
    elif re.match(r"^[A-Za-z][A-Za-z0-9+.-]+:", state):  # a scheme (one letter is a Windows drive)
        problems.error(path, state_line, f"state {state!r} is neither a folder nor an s3:// URL", _STATE_FIX)
    for key in ("region", "endpoint_url"):
        if key not in data:
            continue
        value = data[key]
        if isinstance(state, str) and not state.startswith("s3://"):
            problems.error(path, lines.get(("", key)), f"`{key}` only applies to an s3:// state",
                           'remove it, or set state = "s3://bucket/prefix"')
        elif not isinstance(value, str) or not value.strip():
            problems.error(path, lines.get(("", key)), f"`{key}` must be a non-empty string", f'write it as {key} = "..."')
        elif key == "endpoint_url" and not re.match(r"^https?://[^/\s]+", value):
            problems.error(path, lines.get(("", key)), f"endpoint_url {value!r} is not an http(s) URL",
                           'write it as endpoint_url = "https://s3.example.com"')
    if "lock" in data and data["lock"] not in ("store", "local"):
        problems.error(path, lines.get(("", "lock")), f"lock {data['lock']!r} is not known",
                       'write lock = "store" (the default: locks in the state store) or lock = "local" (a lock on '
                       "this machine, only for a store without conditional writes that one machine uses)")
    network = _network_settings(data, lines, problems)
    problems.raise_if_errors()
    return data, WorkspaceSettings(state=state, region=data.get("region"), endpoint_url=data.get("endpoint_url"),
                                   state_line=state_line, **network)


def _network_settings(data: dict[str, Any], lines: Lines, problems: Problems) -> dict[str, Any]:
    """max_connections_per_host and [timeouts], checked."""
    path = SETTINGS_FILE
    got: dict[str, float] = {}
    if "max_connections_per_host" in data:
        n = data["max_connections_per_host"]
        if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= 64:
            problems.error(path, lines.get(("", "max_connections_per_host")),
                           f"max_connections_per_host = {n!r} is not a whole number from 1 to 64",
                           "write e.g. max_connections_per_host = 2 (what most shared hosts allow)")
        else:
            got["max_connections_per_host"] = n
    table = data.get("timeouts", {})
    if not isinstance(table, dict):
        problems.error(path, lines.get(("", "timeouts")) or lines.get(("timeouts", "")), "`timeouts` must be a table",
                       "write [timeouts] with connect = 20 and read = 60 (seconds) under it")
        return got
    for key, value in table.items():
        line = lines.get(("timeouts", key))
        if key not in TIMEOUT_KEYS:
            hint = did_you_mean(key, TIMEOUT_KEYS)
            problems.error(path, line, f"unknown key `{key}` in [timeouts]", hint or "known keys: connect, read")
        elif isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 3600:
            problems.error(path, line, f"[timeouts] {key} = {value!r} is not a number of seconds from 0 to 3600",
                           f"write e.g. {key} = {TIMEOUT_KEYS[key]:g}")
        else:
            got[f"{key}_timeout"] = float(value)
    return got
