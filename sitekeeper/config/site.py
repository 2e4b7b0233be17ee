"""site.toml: parsed and validated into a frozen ``SiteConfig``.

``parse_site`` is pure: it takes the text and validates all of it at once; every
problem is a Diagnostic with the line of the key, what is wrong and the fix; unknown
keys get a did-you-mean. ``load_site`` reads the file, then delegates. Deploy targets
(config.deploy) and mail settings (config.mail) are parsed here too, once.
"""
from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping
from zoneinfo import ZoneInfo

from ..clock import BadDate, get_zone
from ..errors import Diagnostic, Problems, ProblemsError
from . import secrets
from .content import ContentPolicy, parse_content
from .business import Business, LangTexts, parse_business, parse_lang, with_palette
from .deploy import Target, parse_deploy
from .fonts import DEFAULT_FONT, parse_font
from .mail import MailSettings, parse_mail
from .paths import inside
from .toml import check_keys, error_line, read_config_text, toml_lines
from .workspace import CLIENT_RE as CLIENT_RE, CLIENT_RULE, Workspace  # CLIENT_RE: importers and scaffold take it from here

LANG_RE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?$")
COLOR_RE = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")

TOP_KEYS = {"name", "base_url", "languages", "timezone", "description", "report_day", "deploy", "mail", "theme", "content",
            "business", "lang"}
THEME_KEYS = {"primary_color", "accent_color", "logo", "tagline", "favicon", "font", "style"}
STYLES = ("classic", "photo", "minimal")
"""The built-in styles of [theme] style; the first is the default."""


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
    font: str = DEFAULT_FONT
    """The shipped family of pages, icons and link previews (config/fonts.py names them)."""
    style: str = STYLES[0]
    """The built-in style: classic, photo (a full-width picture hero) or minimal (quiet, type-led)."""


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
    deploy: Mapping[str, Target] = field(default_factory=dict)
    """Named deploy targets in file order; the first is the default."""
    mail: MailSettings = field(default_factory=MailSettings)
    """The [mail] settings."""
    content: ContentPolicy = field(default_factory=ContentPolicy)
    """The [content] policy for raw HTML."""
    business: Business | None = None
    """The [business] settings (None when the table is absent)."""
    lang_texts: Mapping[str, LangTexts] = field(default_factory=dict)
    """[lang.<code>] texts per language."""
    lines: Mapping[tuple[str, str], int] = field(default_factory=dict)
    """(table, key) -> line in site.toml, for later diagnostics."""
    report_day: int | None = None
    """Day of the month (1-28) the month's report is due; None: not set."""
    @property
    def default_language(self) -> str:
        return self.languages[0]

    @property
    def default_language_in_subfolder(self) -> bool:
        """[content]: the default language under /<lang>/ too, and / redirects there."""
        return self.content.default_language_in_subfolder

    def home_url(self, lang: str) -> str:
        """The URL of ``lang``'s home page: / for the default language (unless it lives in its
        subfolder too), /<lang>/ for the others."""
        return "/" if lang == self.default_language and not self.default_language_in_subfolder else f"/{lang}/"

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


def parse_site(client: str, root: Path, text: str, relpath: str) -> tuple[SiteConfig | None, list[Diagnostic]]:
    """Parse and validate a site.toml text. Returns (config or None, diagnostics)."""
    problems = Problems()
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        problems.error(relpath, error_line(exc), f"not valid TOML: {exc}",
                       "fix the syntax at that line (strings need quotes, tables are [name])")
        return None, problems.items
    lines = toml_lines(text)

    for line, kind in secrets.scan_text(text):
        problems.error(relpath, line, f"{kind} is written in this file", secrets.FIX_MATERIAL)
    secrets.scan_table(data, lines, relpath, problems)
    check_keys(data, TOP_KEYS, "", lines, relpath, problems)

    def need_str(table: Mapping[str, Any], key: str, tname: str, fix: str) -> str:
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
        check_keys(theme_data, THEME_KEYS, "theme", lines, relpath, problems)
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
                elif not inside(os.path.realpath(root / value), os.path.realpath(root / "static")):
                    problems.error(relpath, lines.get(("theme", key)),
                                   f"`{key}` file {value!r} is outside sites/{client}/static/",
                                   f"copy the file into sites/{client}/static/ and write its path, e.g. \"static/logo.png\"")
        style = theme_data.get("style", STYLES[0])
        if style not in STYLES:
            problems.error(relpath, lines.get(("theme", "style")), f"`style` {style!r} is not a built-in style",
                           "write one of " + ", ".join(f'`style = "{s}"`' for s in STYLES))
        known = {k: v for k, v in theme_data.items() if k in THEME_KEYS and isinstance(v, str)
                 and (k != "style" or v in STYLES)}
        if "font" in theme_data:
            known["font"] = parse_font(theme_data["font"], lines, relpath, problems)
        theme = Theme(**known)

    deploy = parse_deploy(data.get("deploy", {}), lines, relpath, problems)
    mail = parse_mail(data.get("mail", {}), lines, relpath, problems)
    content = parse_content(data.get("content"), lines, relpath, problems)
    business = parse_business(data.get("business"), lines, relpath, problems, mail.postal_address)
    lang_texts = parse_lang(data.get("lang"), languages, lines, relpath, problems)

    description = data.get("description", "")
    if not isinstance(description, str):
        problems.error(relpath, lines.get(("", "description")), "`description` must be a string", "quote it")
        description = ""
    texts = (description, theme.tagline, mail.from_,
             *(v for lt in lang_texts.values() for v in (lt.name, lt.tagline, lt.description)))
    theme = with_palette(theme, theme_data, business, name, texts)

    report_day = data.get("report_day")
    if report_day is not None and (isinstance(report_day, bool) or not isinstance(report_day, int)
                                   or not 1 <= report_day <= 28):
        problems.error(relpath, lines.get(("", "report_day")), "`report_day` must be a day of the month from 1 to 28",
                       "write it as `report_day = 3` (days after the 28th do not come every month)")
        report_day = None

    if problems.errors:
        return None, problems.items
    cfg = SiteConfig(
        client=client, root=root, path=relpath, name=name, base_url=base_url,
        languages=tuple(languages), timezone=tzname, description=description, theme=theme,
        deploy=MappingProxyType(deploy), mail=mail, content=content, business=business, lang_texts=lang_texts,
        lines=MappingProxyType(lines), report_day=report_day,
    )
    return cfg, problems.items


def load_site(ws: Workspace, client: str) -> SiteConfig:
    """sites/<client>/site.toml as a SiteConfig; raises ProblemsError with every problem."""
    root = ws.require_client(client)
    path = root / "site.toml"
    if not CLIENT_RE.match(client):
        raise ProblemsError([Diagnostic(ws.rel(root), None, f"client name {client!r} is not valid",
                                        "rename the folder: " + CLIENT_RULE)])
    cfg, diags = parse_site(client, root, read_config_text(path, ws.rel(path)), ws.rel(path))
    if cfg is None:
        raise ProblemsError(diags)
    return cfg
