"""Promotions: one Markdown source for the site banner, the promotion page and the email.

``campaigns/<client>/<slug>.md`` holds the dates, audience and approval; a translation
``<slug>.<lang>.md`` holds only what differs (title, banner, subject, preheader, body).
``load_promotions`` reads a client's folder; ``parse_promotion`` is pure.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from collections.abc import Collection
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping
from zoneinfo import ZoneInfo

from ..config.paths import escape_of
from ..errors import Diagnostic, did_you_mean
from .frontmatter import Document, FrontMatterError, parse_document
from .languages import foreign_language
from .leftovers import FIX as LEFTOVER_FIX, find_leftovers
from .pages import parse_when_field, split_lang

if TYPE_CHECKING:
    from ..config.site import SiteConfig
    from ..config.workspace import Workspace

PROMO_KEYS = {
    "title", "starts", "ends", "banner", "page", "send_at", "subject", "preheader", "audience",
    "approved", "approved_by", "approved_at", "approved_hash", "utm", "draft", "description", "image",
    "from", "reply_to",
}
TRANSLATABLE_KEYS = {"title", "banner", "subject", "preheader", "description"}


@dataclass(frozen=True)
class PromotionText:
    """What a language version says: the default file or a translation."""

    lang: str
    """Language of this text."""
    source: str
    """File for messages (relative to the workspace)."""
    title: str
    """Title (site page heading and email heading)."""
    banner: str
    """Banner text on every page during the window."""
    subject: str
    """Email subject."""
    preheader: str
    """Email preheader."""
    description: str
    """Meta description of the page."""
    body: str
    """Markdown body."""
    body_line: int
    """Line of the file where the body starts."""
    key_lines: dict[str, int] = field(default_factory=dict, compare=False, hash=False)
    """Front matter key -> line."""

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, 1)


@dataclass(frozen=True)
class Promotion:
    slug: str
    """File name without .md: the URL segment and campaign id."""
    client: str
    """The client it belongs to."""
    default: PromotionText
    """The default-language text."""
    translations: dict[str, PromotionText] = field(default_factory=dict, compare=False, hash=False)
    """lang -> PromotionText for translations."""
    starts: datetime | None = None
    """Start of the window (site timezone), inclusive."""
    ends: datetime | None = None
    """End of the window, exclusive."""
    page: bool = True
    """Whether /promotions/<slug>/ exists during the window."""
    send_at: datetime | None = None
    """When the campaign is due."""
    audience: str = "all"
    """'all' or a filter on audience.csv columns."""
    approved: bool = False
    """The client's approval is recorded."""
    approved_by: str = ""
    """Who approved."""
    approved_at: str = ""
    """When (ISO 8601)."""
    approved_hash: str = ""
    """Content hash at approval time; an edit after approval voids it."""
    utm: bool | None = None
    """Add UTM parameters to links on the client's domain (None: the [mail] setting)."""
    draft: bool = False
    """Keep it off the site and out of sends."""
    meta: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    """The default file's raw front matter."""

    @property
    def source(self) -> str:
        return self.default.source

    @property
    def languages(self) -> list[str]:
        return [self.default.lang, *sorted(self.translations)]

    def text(self, lang: str) -> PromotionText:
        """The text in ``lang``, falling back to the default language."""
        return self.translations.get(lang, self.default)

    def live(self, now: datetime) -> bool:
        """Is the banner/page on the site at ``now``?"""
        if self.draft or self.starts is None or self.ends is None:
            return False
        return self.starts <= now < self.ends

    def approval_hash(self) -> str:
        """A hash of what the client saw: subject, preheader, title, banner and body of every language."""
        texts = [self.default, *(self.translations[k] for k in sorted(self.translations))]
        data = [[t.lang, t.subject, t.preheader, t.title, t.banner, t.body.replace("\r\n", "\n").rstrip()]
                for t in texts]
        return "sha256:" + hashlib.sha256(json.dumps(data, ensure_ascii=False).encode()).hexdigest()[:20]

    def approval_state(self) -> str:
        """"approved" (recorded, and the text unchanged since), "void" (edited after), "unrecorded"
        (`approved: true` typed by hand, without a hash) or "not approved"."""
        if not self.approved:
            return "not approved"
        if not self.approved_hash:
            return "unrecorded"
        return "approved" if self.approved_hash == self.approval_hash() else "void"

    def archived(self, now: datetime) -> bool:
        """Is the email readable on the site at ``now``? From its send time on, once approved,
        for good (its "view in browser" link outlives the promotion)."""
        return (not self.draft and self.send_at is not None and now >= self.send_at
                and self.approval_state() == "approved")

    def newsletter_url(self, lang: str, default_language: str, words: Mapping[str, str] | None = None) -> str:
        """Where the sent email stays readable: /newsletter/<slug>/ (/<lang>/… for a translation)."""
        word = (words or {}).get(lang if lang in self.translations else default_language, "newsletter")
        if lang != default_language and lang in self.translations:
            return f"/{lang}/{word}/{self.slug}/"
        return f"/{word}/{self.slug}/"

    def url(self, lang: str, default_language: str, words: Mapping[str, str] | None = None) -> str:
        """The page's URL; ``words`` names the /promotions/ folder per language ([lang.*] paths)."""
        if lang != default_language and lang in self.translations:
            return f"/{lang}/{(words or {}).get(lang, 'promotions')}/{self.slug}/"
        return f"/{(words or {}).get(default_language, 'promotions')}/{self.slug}/"


def _text(doc: Document, lang: str, source: str, problems: list[Diagnostic], is_default: bool) -> PromotionText:
    meta = doc.meta
    allowed = PROMO_KEYS if is_default else TRANSLATABLE_KEYS
    for k in meta:
        if k not in allowed:
            if not is_default and k in PROMO_KEYS:
                problems.append(Diagnostic(source, doc.line_of(k),
                                           f"`{k}` in a translation is ignored: it comes from the default-language file",
                                           f"remove `{k}` here and set it in the default-language file", "warning"))
            else:
                hint = did_you_mean(str(k), allowed)
                problems.append(Diagnostic(source, doc.line_of(k), f"unknown front matter key `{k}`",
                                           hint or f"known keys: {', '.join(sorted(allowed))}"))

    def s(key: str) -> str:
        v = meta.get(key, "")
        if v is None:
            return ""
        if not isinstance(v, (str, int, float)):
            problems.append(Diagnostic(source, doc.line_of(key), f"`{key}` must be text", f'write `{key}: "..."`'))
            return ""
        return str(v)

    for line, kind, text in find_leftovers(doc.body, doc.body_line):
        problems.append(Diagnostic(source, line, f"{kind} {text!r} left in the text", LEFTOVER_FIX, "warning"))
    return PromotionText(lang=lang, source=source, title=s("title"), banner=s("banner"), subject=s("subject"),
                         preheader=s("preheader"), description=s("description"), body=doc.body,
                         body_line=doc.body_line, key_lines=dict(doc.key_lines))


def parse_promotion(client: str, slug: str, files: dict[str, tuple[str, str]], languages: Collection[str],
                    default_language: str, tz: ZoneInfo) -> tuple[Promotion | None, list[Diagnostic]]:
    """Parse a promotion from its files: {lang or '': (source, text)}. Returns (Promotion|None, diags)."""
    problems: list[Diagnostic] = []
    docs: dict[str, tuple[str, Document]] = {}
    for lang, (source, text) in files.items():
        try:
            docs[lang] = (source, parse_document(text))
        except FrontMatterError as exc:
            problems.append(Diagnostic(source, exc.line, exc.message, exc.fix))
    if "" not in docs:
        if "" not in files:
            for _lang, (source, _) in files.items():
                problems.append(Diagnostic(source, None, f"translation without a default-language file {slug}.md",
                                           f"create campaigns/{client}/{slug}.md with the dates, or rename this file"))
        return None, problems
    source, doc = docs[""]
    meta = doc.meta
    default = _text(doc, default_language, source, problems, True)
    translations = {}
    for lang, (tsource, tdoc) in docs.items():
        if lang:
            translations[lang] = _text(tdoc, lang, tsource, problems, False)

    if not default.title.strip():
        problems.append(Diagnostic(source, 1, "the promotion has no `title`", "add `title: Spring sale` to the front matter"))
    starts = parse_when_field(meta, "starts", tz, problems, source, doc)
    ends = parse_when_field(meta, "ends", tz, problems, source, doc)
    send_at = parse_when_field(meta, "send_at", tz, problems, source, doc)
    if "starts" not in meta:
        problems.append(Diagnostic(source, 1, "the promotion has no `starts`",
                                   "add `starts: 2026-03-01 08:00` (site timezone): the banner shows from then on"))
    if "ends" not in meta:
        problems.append(Diagnostic(source, 1, "the promotion has no `ends`",
                                   "add `ends: 2026-03-15` (exclusive): every promotion needs an end, or the banner stays forever"))
    if starts and ends and starts >= ends:
        problems.append(Diagnostic(source, doc.line_of("ends"), "`ends` is not after `starts`",
                                   "set `ends` later than `starts` (ends is exclusive)"))
    if send_at and starts and ends and not (starts <= send_at < ends):
        problems.append(Diagnostic(source, doc.line_of("send_at"), "`send_at` is outside the promotion window [starts, ends)",
                                   "choose a send time on or after `starts` and before `ends`"))
    bools = {}
    for key, default_value in (("page", True), ("approved", False), ("draft", False)):
        v = meta.get(key, default_value)
        if not isinstance(v, bool):
            problems.append(Diagnostic(source, doc.line_of(key), f"`{key}` must be true or false",
                                       f"write `{key}: true` or `{key}: false`"))
            v = default_value
        bools[key] = v
    utm = meta.get("utm")
    if utm is not None and not isinstance(utm, bool):
        problems.append(Diagnostic(source, doc.line_of("utm"), "`utm` must be true or false", "write `utm: true`"))
        utm = None
    for ptext in (default, *translations.values()):
        for key in ("subject", "banner", "preheader", "title"):
            value = getattr(ptext, key)
            if "\n" in value or "\r" in value:
                problems.append(Diagnostic(ptext.source, ptext.line_of(key), f"`{key}` contains a line break",
                                           f"write `{key}` on one line: a line break in a mail header can inject headers"))
    audience = meta.get("audience", "all")
    if not isinstance(audience, str) or not audience.strip():
        problems.append(Diagnostic(source, doc.line_of("audience"), "`audience` must be `all` or a filter like `lang=de`",
                                   "write `audience: all`"))
        audience = "all"
    if any(d.is_error for d in problems):
        return None, problems
    promo = Promotion(
        slug=slug, client=client, default=default, translations=translations, starts=starts, ends=ends,
        page=bools["page"], send_at=send_at, audience=audience.strip(), approved=bools["approved"],
        approved_by=str(meta.get("approved_by", "") or ""), approved_at=str(meta.get("approved_at", "") or ""),
        approved_hash=str(meta.get("approved_hash", "") or ""), utm=utm, draft=bools["draft"], meta=dict(meta),
    )
    return promo, problems


def promotion_files(folder: Path, languages: Collection[str]) -> dict[str, dict[str, Path]]:
    """slug -> {lang or '': path} for the Markdown files of a campaigns folder."""
    found: dict[str, dict[str, Path]] = {}
    if not folder.is_dir():
        return found
    for path in sorted(folder.glob("*.md")):
        if escape_of(path, folder):
            continue  # a link out of the client's folder is never read (reported as an error by check)
        stem, lang = split_lang(path.name, languages)
        found.setdefault(stem, {})[lang or ""] = path
    return found


def load_promotions(ws: Workspace, cfg: SiteConfig) -> tuple[list[Promotion], list[Diagnostic]]:
    """All promotions of a client, parsed, with every problem found."""
    folder = ws.campaigns_dir / cfg.client
    others = [lang for lang in cfg.languages if lang != cfg.default_language]
    promos, problems = [], []
    for slug, files in promotion_files(folder, others).items():
        lang = foreign_language(slug, cfg.languages)
        if lang:
            for path in files.values():
                problems.append(Diagnostic(
                    ws.rel(path), None,
                    f"{path.name} is a translation into `{lang}`, a language the site does not have",
                    f"add \"{lang}\" to `languages` in {ws.rel(cfg.root / 'site.toml')}, or rename the file"))
            continue
        texts = {lang: (ws.rel(p), p.read_text(encoding="utf-8")) for lang, p in files.items()}
        promo, diags = parse_promotion(cfg.client, slug, texts, cfg.languages, cfg.default_language, cfg.tz)
        problems.extend(diags)
        if promo is not None:
            promos.append(promo)
    return promos, problems
