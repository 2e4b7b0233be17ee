"""`sitekeeper new`: a client, a page or a promotion, written so that `check` passes.

Each function plans its files (pure: settings in, {path: text} out), then ``write_new``
writes them, refusing to overwrite anything that exists.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from .clock import BadDate, get_zone, parse_when
from .config import Workspace, load_site
from .config.site import CLIENT_RE, LANG_RE
from .errors import Diagnostic, ProblemsError


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


WELCOME = {
    "de": ("Willkommen", "Hier entsteht die Website von {name}."),
    "en": ("Welcome", "This is the new website of {name}."),
    "cs": ("Vítejte", "Toto je nový web {name}."),
    "fr": ("Bienvenue", "Voici le nouveau site de {name}."),
    "it": ("Benvenuti", "Questo è il nuovo sito di {name}."),
    "es": ("Bienvenidos", "Este es el nuevo sitio de {name}."),
    "pl": ("Witamy", "To jest nowa strona {name}."),
    "nl": ("Welkom", "Dit is de nieuwe website van {name}."),
}


def _q(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def validate_client(s: ClientSettings) -> list[Diagnostic]:
    problems = []
    if not CLIENT_RE.match(s.client):
        problems.append(Diagnostic("NAME", None, f"client name {s.client!r} is not valid",
                                   "use lowercase letters, digits and -, e.g. baeckerei-beispiel"))
    if not re.match(r"^https?://[^/\s]+(/\S*)?$", s.base_url):
        problems.append(Diagnostic("--base-url", None, f"{s.base_url!r} is not an http(s) URL",
                                   "write it as https://www.example.com"))
    for lg in s.languages:
        if not LANG_RE.match(lg):
            problems.append(Diagnostic("--languages", None, f"{lg!r} is not a language code", "use e.g. de,en"))
    try:
        get_zone(s.timezone)
    except BadDate:
        problems.append(Diagnostic("--timezone", None, f"unknown timezone {s.timezone!r}",
                                   "use an IANA zone such as Europe/Berlin"))
    if s.email and not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", s.email):
        problems.append(Diagnostic("--email", None, f"{s.email!r} is not an email address", "write e.g. info@example.com"))
    return problems


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
        title, text = WELCOME.get(lg, WELCOME["en"])
        name = "index.md" if n == 0 else f"index.{lg}.md"
        files[f"sites/{s.client}/content/{name}"] = f"---\ntitle: {_q(title)}\n---\n{text.format(name=s.name)}\n"
    return files


def plan_page(ws: Workspace, client: str, path: str, lang: str | None, title: str | None) -> dict[str, str]:
    cfg = load_site(ws, client)
    path = path.strip().strip("/")
    problems = []
    if not path or ".." in path.split("/") or re.search(r'[\\?#<>"*:|]', path):
        problems.append(Diagnostic("PATH", None, f"{path!r} is not a page path", "write e.g. leistungen/beratung"))
    if lang is not None and lang not in cfg.languages:
        problems.append(Diagnostic("--lang", None, f"{client} has no language {lang!r}",
                                   f"use one of {', '.join(cfg.languages)}, or add it to `languages` in {cfg.path}"))
    if problems:
        raise ProblemsError(problems)
    stem = path[:-3] if path.endswith(".md") else path
    if lang and lang != cfg.default_language:
        stem += f".{lang}"
    name = stem.rsplit("/", 1)[-1].split(".")[0]
    title = title or (cfg.name if name == "index" else name.replace("-", " ").replace("_", " ").capitalize())
    return {f"sites/{client}/content/{stem}.md": f"---\ntitle: {_q(title)}\ndescription: \"\"\n---\n\n"}


def plan_promotion(ws: Workspace, client: str, slug: str, starts: str, ends: str, title: str | None,
                   now: datetime) -> dict[str, str]:
    cfg = load_site(ws, client)
    problems = []
    missing = [k for k, v in (("from", cfg.mail.from_), ("postal_address", cfg.mail.postal_address),
                              ("unsubscribe_mailto", cfg.mail.unsubscribe_mailto or cfg.mail.unsubscribe_url)) if not v]
    if missing:  # the promotion would not pass `check`: say so before writing it
        problems.append(Diagnostic(cfg.path, cfg.line_of("mail") or None,
                                   f"[mail] has no {', '.join(missing)}: a promotion's email could not be sent",
                                   'add under [mail]: from = "Name <news@example.com>", postal_address = "Street 1, '
                                   '12345 City", unsubscribe_mailto = "unsubscribe@example.com"'))
    if not re.match(r"^[a-z0-9][a-z0-9-]*$", slug):
        problems.append(Diagnostic("SLUG", None, f"{slug!r} is not a promotion slug",
                                   "use lowercase letters, digits and -, e.g. spring-sale"))
    times = {}
    for opt, value in (("--starts", starts), ("--ends", ends)):
        try:
            times[opt] = parse_when(value, cfg.tz)
        except BadDate as exc:
            problems.append(Diagnostic(opt, None, str(exc), "write it as 2026-03-01 or 2026-03-01 08:00"))
    if len(times) == 2 and times["--starts"] >= times["--ends"]:
        problems.append(Diagnostic("--ends", None, "the promotion ends before it starts", "give an --ends after --starts"))
    if problems:
        raise ProblemsError(problems)
    start, end = times["--starts"], times["--ends"]
    # the email goes out an hour into the window (never after its end, never in the past)
    send = max(start + timedelta(hours=1), now.astimezone(cfg.tz) + timedelta(hours=1))
    if send >= end:
        send = start + (end - start) / 2
    title = title or slug.replace("-", " ").capitalize()
    fmt = "%Y-%m-%d %H:%M"
    text = (f"---\ntitle: {_q(title)}\nstarts: {start.strftime(fmt)}\nends: {end.strftime(fmt)}\n"
            f"banner: {_q(title)}\npage: true\nsend_at: {send.strftime(fmt)}\nsubject: {_q(title)}\n"
            f"preheader: {_q('')}\naudience: all\napproved: false\n---\n\n"
            f"## {title}\n\nWhat is on offer, until when, and how to get it.\n")
    files = {f"campaigns/{client}/{slug}.md": text}
    if not (ws.campaigns_dir / client / "audience.csv").exists():
        files[f"campaigns/{client}/audience.csv"] = "email,name,lang,tags,consented_at,source\n"
    return files


def write_new(ws: Workspace, files: dict[str, str]) -> list[str]:
    """Write the files; refuse (writing nothing) if any of them exists."""
    exists = [rel for rel in files if (ws.root / rel).exists()]
    if exists:
        raise ProblemsError([Diagnostic(rel, None, "already exists; `new` never overwrites",
                                        "choose another name, or edit the file") for rel in exists])
    for rel, text in files.items():
        path = ws.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return list(files)
