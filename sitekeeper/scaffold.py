"""`sitekeeper new`: a client, a page or a promotion, written so that `check` passes.

Each function plans its files (pure: settings in, {path: text} out), then ``write_new``
writes them, refusing to overwrite anything that exists.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from .clock import BadDate, get_zone, parse_when
from .config import Workspace, load_site
from .config.business import TYPES
from .config.site import CLIENT_RE, LANG_RE
from .config.workspace import CLIENT_RULE, shorten
from .errors import Diagnostic, ProblemsError, did_you_mean
from .locale import catalog
from .locale.tags import base as language_of


@dataclass(frozen=True)
class ClientSettings:
    client: str
    """The folder name."""
    name: str
    """The business name."""
    base_url: str
    """https://..."""
    languages: tuple[str, ...] = ("en",)
    """The first is the default."""
    timezone: str = "UTC"
    """IANA zone."""
    business_type: str = "LocalBusiness"
    """schema.org LocalBusiness subtype."""
    email: str = ""
    """The business's address for [mail] (from, reply_to)."""
    postal_address: str = ""
    """Goes into every email; [mail] is written only with it."""




def _q(value: str) -> str:
    """A double-quoted string, the same in TOML and YAML; the text was checked by ``_text_problem``
    (no line breaks or control characters, which the two would write differently)."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _text_problem(value: str) -> str:
    """Why ``value`` cannot be one line of text in a file, or ""."""
    for ch in value:
        cat = unicodedata.category(ch)
        if cat == "Cs":
            return "holds bytes that are not UTF-8 (set the terminal to UTF-8)"
        if cat in ("Cc", "Zl", "Zp"):
            return f"holds a line break or control character ({ch!r})"
    return ""


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>&!])")


def _md_text(value: str) -> str:
    """Plain text inside a Markdown paragraph: a business name with * or <b> stays text."""
    return _MD_SPECIAL.sub(r"\\\1", value)


def _builtin_languages() -> set[str]:
    """Languages a new site.toml can name without [lang.X] strings of its own (theme and email)."""
    from .mail.strings import STRINGS as MAIL
    from .render.i18n import STRINGS as THEME

    return set(THEME) & set(MAIL)


def validate_client(s: ClientSettings) -> list[Diagnostic]:
    """Every problem of the settings themselves (the command line's), before anything is read."""
    problems = []
    if not CLIENT_RE.match(s.client):
        problems.append(Diagnostic("NAME", None, f"{shorten(s.client)} is not a client name", CLIENT_RULE))
    for opt, value in (("--name", s.name), ("--base-url", s.base_url), ("--timezone", s.timezone),
                       ("--business-type", s.business_type), ("--email", s.email),
                       ("--postal-address", s.postal_address)):
        why = _text_problem(value)
        if why:
            problems.append(Diagnostic(opt, None, f"{shorten(value)} {why}", "give it as one line of text"))
    if not s.name.strip():
        problems.append(Diagnostic("--name", None, "the business name is empty", 'give it, e.g. --name "Bäckerei Beispiel"'))
    if not re.match(r"^https?://[^/\s]+(/\S*)?$", s.base_url):
        problems.append(Diagnostic("--base-url", None, f"{shorten(s.base_url)} is not an http(s) URL",
                                   "write it as https://www.example.com"))
    problems += _language_problems(s.languages)
    try:
        get_zone(s.timezone)
    except BadDate:
        problems.append(Diagnostic("--timezone", None, f"unknown timezone {shorten(s.timezone)}",
                                   "use an IANA zone such as Europe/Berlin"))
    if s.business_type not in TYPES:
        hint = did_you_mean(s.business_type, TYPES)
        problems.append(Diagnostic("--business-type", None, f"{shorten(s.business_type)} is not a schema.org "
                                   "LocalBusiness type", hint or "e.g. Bakery, Dentist, HairSalon, or LocalBusiness"))
    if s.email and not re.match(r"^[^@\s<>\",]+@[^@\s<>\",]+\.[^@\s<>\",]+$", s.email):
        problems.append(Diagnostic("--email", None, f"{shorten(s.email)} is not an email address",
                                   "write e.g. info@example.com"))
    return problems


def _language_problems(languages: tuple[str, ...]) -> list[Diagnostic]:
    builtin = _builtin_languages()
    problems = []
    if not languages:
        problems.append(Diagnostic("--languages", None, "no language given", "use e.g. de,en (the default first)"))
    for lg in languages:
        if not LANG_RE.match(lg):
            problems.append(Diagnostic("--languages", None, f"{shorten(lg)} is not a language code", "use e.g. de,en"))
        elif language_of(lg) not in builtin:
            problems.append(Diagnostic(
                "--languages", None, f"{lg!r} has no built-in texts (theme and email)",
                f"choose from {', '.join(sorted(builtin))}; for another language, create the client with these "
                f"and then add it with its texts under [lang.{lg}] in site.toml"))
    dups = sorted({lg for lg in languages if languages.count(lg) > 1})
    if dups:
        problems.append(Diagnostic("--languages", None, f"{', '.join(dups)} given twice", "name each language once"))
    return problems


def planned_problems(ws: Workspace, s: ClientSettings, files: dict[str, str]) -> list[Diagnostic]:
    """What `check` would say about the planned site.toml (e.g. a --name a sender address cannot carry)."""
    from .config import parse_site

    rel_path = f"sites/{s.client}/site.toml"
    _, diags = parse_site(s.client, ws.sites_dir / s.client, files[rel_path], rel_path)
    return [Diagnostic("new client", None, f"the site.toml it would write fails `check`: {d.message}", d.fix)
            for d in diags]


def plan_client(s: ClientSettings) -> dict[str, str]:
    """sites/<client>/site.toml and a home page per language."""
    lines = [
        f"name = {_q(s.name)}",
        f"base_url = {_q(s.base_url.rstrip('/'))}",
        "languages = [" + ", ".join(_q(lg) for lg in s.languages) + "]"
        + ("   # the first is the default" if len(s.languages) > 1 else ""),
        f"timezone = {_q(s.timezone)}",
        "",
        "# Where the site goes (the first target is the default); without one it is built into public/" + s.client,
        "# [deploy.production]",
        '# url = "sftp://user@ssh.host.example:22/var/www/site"',
        '# host_key = "SHA256:..."        # `sitekeeper trust ' + s.client + '` pins it',
        "",
    ]
    if s.postal_address and s.email:
        lines += ["[mail]", f"from = {_q(f'{s.name} <{s.email}>')}", f"reply_to = {_q(s.email)}",
                  f"postal_address = {_q(s.postal_address)}", f"unsubscribe_mailto = {_q(s.email)}", ""]
    else:
        lines += ["# Promotional email needs a sender and the postal address that goes into every email:",
                  "# [mail]", f"# from = {_q(s.name + ' <info@example.com>')}", '# postal_address = "Street 1, 12345 City"', ""]
    business = [f"type = {_q(s.business_type)}"] + ([f"email = {_q(s.email)}"] if s.email else [])
    lines += ["[business]"] + business
    files = {f"sites/{s.client}/site.toml": "\n".join(lines).rstrip() + "\n"}
    for n, lg in enumerate(s.languages):
        welcome = catalog.words("scaffold", lg)
        title, text = welcome["welcome_title"], welcome["welcome_text"]
        name = "index.md" if n == 0 else f"index.{lg}.md"
        files[f"sites/{s.client}/content/{name}"] = f"---\ntitle: {_q(title)}\n---\n{text.format(name=_md_text(s.name))}\n"
    return files


_PATH_CHARS = re.compile(r'[\\?#<>"*:|%\s]')
_SEGMENT_MAX = 100


def page_problems(path: str, title: str | None) -> list[Diagnostic]:
    """Problems of `new page`'s PATH and --title themselves (no file read)."""
    problems = []
    clean = path.strip().strip("/")
    stem = clean[:-3] if clean.endswith(".md") else clean
    segments = stem.split("/")
    why = _text_problem(path)
    if why or not stem or any(not seg or seg.startswith(".") or _PATH_CHARS.search(seg) for seg in segments):
        problems.append(Diagnostic("PATH", None, f"{shorten(path)} is not a page path",
                                   "write folder/name with letters, digits and -, e.g. leistungen/beratung "
                                   "(no spaces, no leading dot, no .. or \\ ? # < > \" * : | %)"))
    elif any("." in seg for seg in segments):
        problems.append(Diagnostic("PATH", None, f"{shorten(path)} has a dot in a name",
                                   "leave dots out; for a translation give --lang, e.g. `new page CLIENT about --lang en`"))
    elif any(len(seg) > _SEGMENT_MAX for seg in segments):
        problems.append(Diagnostic("PATH", None, f"{shorten(path)} has a name longer than {_SEGMENT_MAX} characters",
                                   "choose a shorter name: it is a word of the page's URL"))
    return problems + _title_problems(title)



def _title_problems(title: str | None) -> list[Diagnostic]:
    """What is wrong with a --title of `new page` or `new promotion` (nothing when it is left out)."""
    if title is None:
        return []
    why = _text_problem(title)
    if why:
        return [Diagnostic("--title", None, f"{shorten(title)} {why}", "give the title as one line of text")]
    if not title.strip():
        return [Diagnostic("--title", None, "the title is empty", "give a title, or leave --title out")]
    return []

def plan_page(ws: Workspace, client: str, path: str, lang: str | None, title: str | None) -> dict[str, str]:
    """content/PATH.md (PATH.LANG.md for another language); ``page_problems`` were checked first."""
    cfg = load_site(ws, client)
    path = path.strip().strip("/")
    if lang is not None and lang not in cfg.languages:
        raise ProblemsError([Diagnostic("--lang", None, f"{client} has no language {lang!r}",
                                        f"use one of {', '.join(cfg.languages)}, or add it to `languages` in {cfg.path}")])
    stem = path[:-3] if path.endswith(".md") else path
    suffix = f".{lang}" if lang and lang != cfg.default_language else ""
    content = f"sites/{client}/content"
    # about.md, about/index.md and (in the default language) about.de.md are one page: `check` refuses two
    twin = stem[:-len("/index")] if stem.endswith("/index") else (None if stem == "index" else f"{stem}/index")
    suffixes = [suffix] if suffix else ["", f".{cfg.default_language}"]
    target = f"{content}/{stem}{suffix}.md"
    for base in [stem] + ([twin] if twin else []):
        for suf in suffixes:
            other = f"{content}/{base}{suf}.md"
            if other != target and (ws.root / other).exists():
                raise ProblemsError([Diagnostic(other, None, f"is the page {path} already",
                                                "edit that file, or choose another PATH")])
    name = stem.rsplit("/", 1)[-1]
    title = title or (cfg.name if name == "index" else name.replace("-", " ").replace("_", " ").capitalize())
    return {target: f"---\ntitle: {_q(title)}\ndescription: \"\"\n---\n\n"}


def promotion_problems(slug: str, starts: str, ends: str, title: str | None) -> list[Diagnostic]:
    """Problems of `new promotion`'s SLUG, --starts, --ends and --title themselves (no file read)."""
    problems = []
    if not re.match(r"^[a-z0-9][a-z0-9-]{0,79}$", slug):
        problems.append(Diagnostic("SLUG", None, f"{shorten(slug)} is not a promotion slug",
                                   "use lowercase letters, digits and -, at most 80, e.g. spring-sale"))
    utc = get_zone("UTC")
    times = {}
    for opt, value in (("--starts", starts), ("--ends", ends)):
        try:
            times[opt] = parse_when(value, utc)  # the format and the order; the site's zone comes later
        except BadDate as exc:
            problems.append(Diagnostic(opt, None, str(exc), "write it as 2026-03-01 or 2026-03-01 08:00"))
    if len(times) == 2 and times["--starts"] >= times["--ends"]:
        problems.append(Diagnostic("--ends", None, "the promotion ends before it starts", "give an --ends after --starts"))
    return problems + _title_problems(title)


SEND_DELAY = timedelta(hours=1)


def promotion_times(starts: str, ends: str, tz, now: datetime) -> tuple[datetime, datetime, datetime]:
    """(start, end, send_at) in the site's zone. The email is due an hour into the window; in a
    window that has begun, an hour from now; in a window of an hour or less, at its start.
    A window that has ended, or ends within that hour, is refused (ProblemsError)."""
    start, end = parse_when(starts, tz), parse_when(ends, tz)
    now = now.astimezone(tz)
    fmt = "%Y-%m-%d %H:%M"
    if end <= now:
        raise ProblemsError([Diagnostic("--ends", None, f"the window ended at {end.strftime(fmt)} "
                                        f"({tz.key}); it is {now.strftime(fmt)} now",
                                        "give an --ends in the future (a past promotion is never shown or sent)")])
    if start <= now:
        send = (now + SEND_DELAY).replace(second=0, microsecond=0)
        if send >= end:
            raise ProblemsError([Diagnostic("--ends", None, f"the window ends at {end.strftime(fmt)}, before its "
                                            f"email could go out (an hour from now, {send.strftime(fmt)})",
                                            "give a later --ends")])
        return start, end, send
    send = start + SEND_DELAY
    return start, end, send if send < end else start


def plan_promotion(ws: Workspace, client: str, slug: str, starts: str, ends: str, title: str | None,
                   now: datetime) -> dict[str, str]:
    """campaigns/CLIENT/SLUG.md (and an empty audience.csv); ``promotion_problems`` were checked first."""
    cfg = load_site(ws, client)
    missing = [k for k, v in (("from", cfg.mail.from_), ("postal_address", cfg.mail.postal_address),
                              ("unsubscribe_mailto", cfg.mail.unsubscribe_mailto or cfg.mail.unsubscribe_url)) if not v]
    if missing:  # the promotion would not pass `check`: say so before writing it
        raise ProblemsError([Diagnostic(cfg.path, cfg.line_of("mail") or None,
                                        f"[mail] has no {', '.join(missing)}: a promotion's email could not be sent",
                                        'add under [mail]: from = "Name <news@example.com>", postal_address = '
                                        '"Street 1, 12345 City", unsubscribe_mailto = "unsubscribe@example.com"')])
    start, end, send = promotion_times(starts, ends, cfg.tz, now)
    title = title or slug.replace("-", " ").capitalize()
    fmt = "%Y-%m-%d %H:%M"
    text = (f"---\ntitle: {_q(title)}\nstarts: {start.strftime(fmt)}\nends: {end.strftime(fmt)}\n"
            f"banner: {_q(title)}\npage: true\nsend_at: {send.strftime(fmt)}\nsubject: {_q(title)}\n"
            f"preheader: {_q('')}\naudience: all\napproved: false\n---\n\n"
            f"## {_md_text(title)}\n\nWhat is on offer, until when, and how to get it.\n")
    files = {f"campaigns/{client}/{slug}.md": text}
    if not (ws.campaigns_dir / client / "audience.csv").exists():
        files[f"campaigns/{client}/audience.csv"] = "email,name,lang,tags,consented_at,source\n"
    return files


def write_new(ws: Workspace, files: dict[str, str]) -> list[str]:
    """Write the files; refuse (writing nothing) if any of them exists."""
    exists = [rel_path for rel_path in files if (ws.root / rel_path).exists()]
    if exists:
        raise ProblemsError([Diagnostic(rel_path, None, "already exists; `new` never overwrites",
                                        "choose another name, or edit the file") for rel_path in exists])
    written: list[str] = []
    try:
        for rel_path, text in files.items():
            path = ws.root / rel_path
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "x", encoding="utf-8") as f:  # "x": never over a file that appeared meanwhile
                f.write(text)
            written.append(rel_path)
    except OSError as exc:
        for done in written:  # all or nothing: a half scaffold would fail `check`
            (ws.root / done).unlink(missing_ok=True)
        raise ProblemsError([Diagnostic(rel_path, None, f"cannot be written: {exc.strerror or exc}",
                                        "check that the workspace folder is writable")]) from exc
    return written
