"""Promotion -> email: one Markdown body, an MJML-compiled HTML part and a text part.

``compile_email`` does the expensive work once per campaign and language: merge fields
become placeholders, the Markdown is parsed with the site's own markdown-it setup, links
are made absolute (plus optional UTM parameters), the first call to action becomes a
button, the Jinja2 MJML template (``email.mjml``, overridable per client) is rendered
and compiled by MRML, and a plain-text part is written from the same tokens (links as
numbered footnotes). ``CompiledEmail.personalize`` is then a string substitution per
recipient, so a large audience costs little.
"""
from __future__ import annotations

import posixpath
import re
import struct
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, quote, unquote, urlencode, urljoin, urlsplit, urlunsplit

from ..config.content import unsafe_scheme
from ..render.htmlpolicy import for_email
from ..config.business import path_word, promo_words, text_for
from ..render.dates import format_date, last_day
from ..render.typography import nbsp_html, nbsp_text
from ..render.colors import contrast, mix, readable_on
from ..render.colors import on_color as _on_color
from ..errors import Diagnostic
from ..locale.cldr import direction
from .merge import Field, Fields
from .strings import strings

TEMPLATE_NAME = "email.mjml"
BUILTIN_TEMPLATES = Path(__file__).parent / "templates"
GMAIL_CLIP_BYTES = 102 * 1024
"""Gmail clips an HTML part larger than this behind a "View entire message" link."""

_ATTR_URL_RE = re.compile(r"""(\b(?:href|src)\s*=\s*)(["'])(.*?)\2""", re.I | re.S)
_TAG_RE = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class LinkRef:
    url: str
    """Absolute URL as it goes out (UTM parameters included)."""
    written: str
    """The target as written in the Markdown."""
    kind: str
    """"link" or "image"."""
    source: str
    """File it was written in."""
    line: int
    """Line in that file."""
    site_path: str | None = None
    """For URLs on the client's site: the path on the site ('/images/a.png')."""
    local: Path | None = None
    """For images on the client's site: the file under static/ (may not exist)."""


@dataclass(frozen=True)
class EmailParts:
    subject: str
    """Subject, merged, one line."""
    html: str
    """HTML part, merged and escaped."""
    text: str
    """Plain-text part, merged."""
    lang: str = ""
    """The language the text is written in (its From name follows it)."""


@dataclass
class CompiledEmail:
    client: str
    """Client name."""
    slug: str
    """Promotion slug."""
    lang: str
    """Language asked for."""
    text_lang: str
    """Language of the text actually used (the default when there is no translation)."""
    source: str
    """File of that text, for messages."""
    subject: str
    """Subject with placeholders."""
    html: str
    """Compiled HTML with placeholders."""
    plain: str
    """Text part with placeholders."""
    fields: Fields
    """Placeholder table."""
    links: list[LinkRef] = field(default_factory=list)
    """Every link and image in the email, absolute."""
    template: str = ""
    """The template used (for messages)."""
    mjml: str = ""
    """The MJML source given to MRML (for debugging)."""

    def personalize(self, record: dict) -> EmailParts:
        html_values = self.fields.values(record, escape=True)
        raw_values = self.fields.values(record, escape=False)
        subject = " ".join(self.fields.fill(self.subject, raw_values).split())
        return EmailParts(subject, self.fields.fill(self.html, html_values), self.fields.fill(self.plain, raw_values),
                          self.text_lang)


# ---------------------------------------------------------------- colours


def on_color(bg: str) -> str:
    return _on_color(bg, "#1d1d1d")


DARK_PAGE, DARK_CARD, DARK_CODE = "#1b1a19", "#262524", "#3a3836"


def dark_colors(primary: str) -> dict[str, str]:
    """The dark-mode counterparts of the email's colours: text and muted text reach 4.5:1 on
    the dark card and the darker page around it; links are the brand colour lightened until
    they do (a dark brown brand gives a light tan, not an unreadable brown)."""
    worst = DARK_CODE  # the lightest dark background any text may sit on
    return {
        "dark_page": DARK_PAGE, "dark_card": DARK_CARD, "dark_code": DARK_CODE,
        "dark_text": "#ecebe9",
        "dark_muted": readable_on(worst, "#b8b3ad"),
        "dark_link": readable_on(worst, mix(primary, "#ffffff", 0.55)),
    }


# ---------------------------------------------------------------- URLs


def _iri_to_uri(url: str) -> str:
    parts = urlsplit(url)
    path = quote(parts.path, safe="/%:@!$&'()*+,;=-._~")
    return urlunsplit((parts.scheme, parts.netloc.encode("idna").decode() if parts.netloc and not parts.netloc.isascii() else parts.netloc,
                       path, quote(parts.query, safe="=&%+:/?@!$'()*,;-._~"), parts.fragment))


class UrlRewriter:
    """Absolute URLs for an email: relative to the promotion's page on the client's site."""

    def __init__(self, cfg, page_url: str, utm: str | None):
        self.cfg = cfg
        self.page_url = page_url
        self.host = urlsplit(cfg.base_url).hostname or ""
        self.base_path = urlsplit(cfg.base_url).path.rstrip("/")
        self.utm = utm
        self.refs: list[LinkRef] = []
        self.refused: list[Diagnostic] = []
        """A `javascript:`, `vbscript:` or non-image `data:` URL, at its line."""

    def site_path(self, absolute: str) -> str | None:
        parts = urlsplit(absolute)
        if parts.scheme not in ("http", "https") or (parts.hostname or "").lower() != self.host.lower():
            return None
        path = unquote(parts.path)
        if self.base_path and path.startswith(self.base_path):
            path = path[len(self.base_path):]
        return path or "/"

    def refuse(self, target: str, kind: str, source: str, line: int) -> bool:
        """Whether ``target`` may not be in an email: no email carries a script or a document of
        its own. A site that allows scripts hears that its email goes without them."""
        scheme = unsafe_scheme(target, image=kind == "image")
        if scheme is None:
            return False
        shown = " ".join(target.split())[:60]
        if self.cfg.content.allow_scripts:
            self.refused.append(Diagnostic(source, line, f"the `{scheme}:` URL {shown!r} is left out of the email: "
                                           "emails never carry scripts, whatever [content] allows",
                                           "link to a page of the site instead", "warning"))
        else:
            self.refused.append(Diagnostic(source, line, f"a `{scheme}:` URL ({shown}) in the campaign: emails never "
                                           "carry scripts or pages of their own", "remove it, or link to a page of "
                                           "the site instead"))
        return True

    def rewrite(self, target: str, kind: str, source: str, line: int) -> str:
        if self.refuse(target, kind, source, line):
            return target  # stripped by for_email; the error above stops the send first
        if not target or target.startswith(("mailto:", "tel:", "data:", "cid:")) or "zzskmerge" in target.split(":")[0]:
            if target.startswith("mailto:"):
                self.refs.append(LinkRef(target, target, kind, source, line))
            return target
        absolute = urljoin(self.page_url, target)
        spath = self.site_path(absolute)
        local = None
        if spath is not None and kind == "image":
            local = self.cfg.static_dir / posixpath.normpath(spath).lstrip("/")
            if local.suffix.lower() == ".svg" and local.with_suffix(".png").is_file():
                # Mail clients do not show SVG: use the PNG sibling.
                local = local.with_suffix(".png")
                spath = spath[: -len(".svg")] + ".png"
                p = urlsplit(absolute)
                absolute = urlunsplit((p.scheme, p.netloc, p.path[: -len(".svg")] + ".png", p.query, p.fragment))
        if spath is not None and kind == "link" and self.utm:
            absolute = add_utm(absolute, self.utm)
        absolute = _iri_to_uri(absolute)
        self.refs.append(LinkRef(absolute, target, kind, source, line, spath, local))
        return absolute


def add_utm(url: str, campaign: str) -> str:
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    have = {k for k, _ in query}
    for k, v in (("utm_source", "newsletter"), ("utm_medium", "email"), ("utm_campaign", campaign)):
        if k not in have:
            query.append((k, v))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query, safe="/:"), parts.fragment))


# ---------------------------------------------------------------- styles


def _styles(primary: str, rtl: bool = False) -> dict[str, str]:
    link = primary if contrast(primary, "#ffffff") >= 3 else "#1d1d1d"
    return _mirrored(_ltr_styles(primary, link)) if rtl else _ltr_styles(primary, link)


def _mirrored(styles: dict[str, str]) -> dict[str, str]:
    """The styles of a right-to-left email: list indents, the quote's bar and table headings
    on the right."""
    return {**styles, "ul": "margin:0 0 16px;padding:0 22px 0 0;", "ol": "margin:0 0 16px;padding:0 22px 0 0;",
            "blockquote": styles["blockquote"].replace("padding:4px 0 4px 16px;border-left:", "padding:4px 16px 4px 0;border-right:"),
            "th": styles["th"].replace("text-align:left;", "text-align:right;")}


def _ltr_styles(primary: str, link: str) -> dict[str, str]:
    return {
        "link": link,
        "p": "margin:0 0 16px;",
        "h1": "margin:24px 0 12px;font-size:24px;line-height:1.3;color:#1d1d1d;",
        "h2": "margin:24px 0 10px;font-size:21px;line-height:1.3;color:#1d1d1d;",
        "h3": "margin:20px 0 8px;font-size:18px;line-height:1.35;color:#1d1d1d;",
        "h4": "margin:16px 0 8px;font-size:16px;color:#1d1d1d;",
        "ul": "margin:0 0 16px;padding:0 0 0 22px;",
        "ol": "margin:0 0 16px;padding:0 0 0 22px;",
        "li": "margin:0 0 6px;",
        "a": f"color:{link};text-decoration:underline;",
        "img": "max-width:100%;height:auto;border:0;",
        "blockquote": f"margin:0 0 16px;padding:4px 0 4px 16px;border-left:4px solid {primary};color:#555555;",
        "table": "border-collapse:collapse;width:100%;margin:0 0 16px;font-size:15px;",
        "th": "border-bottom:2px solid #dddddd;padding:6px 8px;text-align:left;",
        "td": "border-bottom:1px solid #eeeeee;padding:6px 8px;",
        "hr": "border:0;border-top:1px solid #e6e2dc;margin:24px 0;",
        "code": "font-family:Menlo,Consolas,monospace;font-size:14px;background:#f4f2ef;padding:1px 4px;border-radius:3px;",
        "pre": "font-family:Menlo,Consolas,monospace;font-size:14px;background:#f4f2ef;padding:12px;border-radius:6px;white-space:pre-wrap;",
    }


_STYLED_OPEN = {
    "paragraph_open", "heading_open", "bullet_list_open", "ordered_list_open", "list_item_open", "blockquote_open",
    "table_open", "th_open", "td_open", "hr",
}


def first_sentence(tokens, limit: int = 150) -> str:
    """The first sentence of the body's first paragraph, as plain text (cut at a word near
    ``limit``): the inbox preview of an email written without a preheader."""
    for i, tok in enumerate(tokens):
        if tok.type == "paragraph_open" and i + 1 < len(tokens) and tokens[i + 1].type == "inline":
            plain = " ".join(_inline_plain(tokens[i + 1].children or []).split())
            if not plain:
                continue
            # A sentence ends after a letter (not "6." of a date), and not within its first 30
            # characters (not "Dr." of a name).
            match = re.match(r"(.{30,}?[^\d\s][.!?…])(\s|$)", plain)
            sentence = match.group(1) if match else plain
            if len(sentence) > limit:
                sentence = sentence[:limit].rsplit(" ", 1)[0] + "…"
            return sentence
    return ""


def _style_token(tok, styles) -> None:
    if tok.type in _STYLED_OPEN or tok.type in ("link_open", "image", "code_inline", "fence", "code_block"):
        tag = {"link_open": "a", "image": "img", "code_inline": "code", "fence": "pre", "code_block": "pre"}.get(tok.type, tok.tag)
        style = styles.get(tag)
        if style and tok.attrGet("style") is None:
            tok.attrSet("style", style)


# ---------------------------------------------------------------- Markdown -> blocks + text


def _inline_plain(children) -> str:
    return "".join(c.content for c in children if c.type in ("text", "code_inline"))


def _meaningful(children):
    return [c for c in children if not (c.type == "softbreak" or (c.type == "text" and not c.content.strip()))]


def _top_blocks(tokens):
    """Split a token stream into its top-level blocks."""
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.nesting == 1:
            depth, j = 0, i
            while j < len(tokens):
                depth += tokens[j].nesting
                if depth == 0:
                    break
                j += 1
            yield tokens[i : j + 1]
            i = j + 1
        else:
            yield [tok]
            i += 1


class TextWriter:
    """Markdown tokens -> readable plain text; links become [n] with a list at the end."""

    WIDTH = 76

    def __init__(self):
        self.lines: list[str] = []
        self.urls: list[str] = []
        self.prefixes: list[list] = []  # [first, continuation, used]
        self.lists: list[list] = []  # [ordered, counter]

    def number(self, url: str) -> int:
        if url not in self.urls:
            self.urls.append(url)
        return self.urls.index(url) + 1

    def inline(self, children) -> str:
        out: list[str] = []
        stack: list[tuple[str, int]] = []
        for ch in children:
            t = ch.type
            if t == "text" or t == "code_inline":
                out.append(ch.content)
            elif t == "softbreak":
                out.append(" ")
            elif t == "hardbreak":
                out.append("\n")
            elif t == "link_open":
                stack.append((ch.attrGet("href") or "", len(out)))
            elif t == "link_close" and stack:
                href, start = stack.pop()
                label = "".join(out[start:]).strip()
                if href.startswith("mailto:"):
                    if label != href[7:].split("?")[0]:
                        out.append(f" <{href[7:].split('?')[0]}>")
                elif href and label != href:
                    out.append(f" [{self.number(href)}]")
            elif t == "image":
                alt = ch.content or ch.attrGet("alt") or ""
                if alt:
                    out.append(f"[{alt}]")
            elif t == "html_inline" and re.match(r"<br\b", ch.content, re.I):
                out.append("\n")
            elif t == "footnote_ref":
                out.append(f"[^{ch.meta.get('label', ch.meta.get('id', ''))}]")
        return "".join(out)

    def _blank(self) -> None:
        if self.lines and self.lines[-1] != "":
            self.lines.append("")

    lang = ""
    """The email's language: its typography keeps "20 %" on one line before wrapping."""

    def emit(self, text: str, tight: bool = False, wrap: bool = True) -> None:
        if self.lang and wrap:
            text = nbsp_text(text, self.lang)
        if not tight:
            self._blank()
        for _n, hard in enumerate(text.split("\n")):
            first = "".join(p[1] if p[2] else p[0] for p in self.prefixes)
            for p in self.prefixes:
                p[2] = True
            cont = "".join(p[1] for p in self.prefixes)
            if wrap and hard.strip():
                wrapped = textwrap.wrap(hard, width=max(20, self.WIDTH - len(cont)), break_long_words=False,
                                        break_on_hyphens=False) or [""]
            else:
                wrapped = [hard]
            for k, piece in enumerate(wrapped):
                self.lines.append(((first if k == 0 else cont) + piece).rstrip())

    def write(self, tokens) -> None:  # noqa: C901 (over 25: to be split into its own modules)
        heading = None
        row: list[str] | None = None
        for tok in tokens:
            t = tok.type
            if t == "heading_open":
                heading = tok.tag
            elif t == "heading_close":
                heading = None
            elif t == "inline":
                text = self.inline(tok.children or [])
                if heading:
                    self.emit(text, wrap=False)
                    if heading in ("h1", "h2"):
                        self.lines.append(("=" if heading == "h1" else "-") * min(len(text), self.WIDTH))
                elif row is not None:
                    row.append(" ".join(text.split()))
                else:
                    in_tight_item = bool(self.lists) and tok.map is not None and self._tight
                    self.emit(text, tight=in_tight_item)
            elif t == "paragraph_open":
                self._tight = tok.hidden
            elif t in ("bullet_list_open", "ordered_list_open"):
                if not self.lists:
                    self._blank()
                start = int(tok.attrGet("start") or 1) if t == "ordered_list_open" else 1
                self.lists.append([t == "ordered_list_open", start - 1])
            elif t in ("bullet_list_close", "ordered_list_close"):
                self.lists.pop()
            elif t == "list_item_open":
                lst = self.lists[-1]
                lst[1] += 1
                marker = f"{lst[1]}. " if lst[0] else "- "
                self.prefixes.append([marker, " " * len(marker), False])
            elif t == "list_item_close":
                self.prefixes.pop()
            elif t == "blockquote_open":
                self.prefixes.append(["> ", "> ", False])
            elif t == "blockquote_close":
                self.prefixes.pop()
            elif t in ("fence", "code_block"):
                self.emit("\n".join("    " + ln for ln in tok.content.rstrip("\n").split("\n")), wrap=False)
            elif t == "hr":
                self.emit("-" * 24, wrap=False)
            elif t == "html_block":
                text = _TAG_RE.sub("", tok.content).strip()
                if text:
                    self.emit(" ".join(text.split()))
            elif t == "tr_open":
                row = []
            elif t == "tr_close" and row is not None:
                self.emit(" | ".join(row), tight=True, wrap=False)
                row = None
            elif t == "table_open":
                self._blank()
            elif t == "footnote_block_open":
                self.emit("-" * 24, wrap=False)
            elif t == "footnote_open":
                self.prefixes.append([f"[^{tok.meta.get('label', tok.meta.get('id', ''))}] ", "    ", False])
            elif t == "footnote_close":
                self.prefixes.pop()

    _tight = False


# ---------------------------------------------------------------- compile


def _png_size(path: Path) -> tuple[int, int] | None:
    try:
        with path.open("rb") as fh:
            head = fh.read(24)
    except OSError:
        return None
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    return struct.unpack(">II", head[16:24])


def email_logo(cfg) -> tuple[str | None, Path | None, int]:
    """(URL, local file, display width) of the logo for email: a PNG sibling of an SVG logo."""
    logo = cfg.theme.logo
    if not logo:
        return None, None, 0
    local = cfg.root / logo
    if local.suffix.lower() == ".svg":
        png = local.with_suffix(".png")
        if not png.is_file():
            return None, None, 0
        local = png
    rel = local.relative_to(cfg.root).as_posix()
    path = rel[len("static/"):] if rel.startswith("static/") else rel
    size = _png_size(local)
    width = 160
    if size:
        w, h = size
        # Fit a 200x90 box, never upscaled beyond the file's own pixels.
        width = int(min(w, 200, 90 * w / h if h else 200))
    return _iri_to_uri(cfg.base_url + "/" + path), local, max(width, 40)


def template_path(cfg) -> Path:
    own = cfg.templates_dir / TEMPLATE_NAME
    return own if own.is_file() else BUILTIN_TEMPLATES / TEMPLATE_NAME


def _jinja_env(cfg):
    from ..render.env import make_env

    return make_env(cfg.templates_dir, builtin=BUILTIN_TEMPLATES, keep_trailing_newline=False)


def utm_enabled(cfg, promo) -> bool:
    if promo.utm is not None:
        return promo.utm
    return cfg.mail.utm


def compile_email(ws, cfg, promo, lang: str) -> tuple[CompiledEmail | None, list[Diagnostic]]:
    """Render a promotion in ``lang`` (falling back to the default language) once."""
    from markupsafe import Markup

    from ..render.markdown import markdown_parser

    problems: list[Diagnostic] = []
    text = promo.text(lang)
    if text is not promo.default:
        # A translation needs only what differs: blanks come from the default language.
        import dataclasses

        text = dataclasses.replace(text, **{k: getattr(promo.default, k) for k in ("title", "banner", "subject", "preheader")
                                            if not getattr(text, k).strip()})
    used_lang = text.lang
    fields = Fields()
    own = cfg.lang_texts.get(used_lang)
    t = strings(used_lang, own.email_strings if own else None)
    page_path = promo.url(used_lang, cfg.default_language, promo_words(cfg))
    page_url = cfg.base_url + page_path
    rewriter = UrlRewriter(cfg, page_url, promo.slug if utm_enabled(cfg, promo) else None)
    styles = _styles(cfg.theme.primary_color, rtl=direction(used_lang) == "rtl")

    md = markdown_parser()
    env: dict = {"email": True}  # blocks (::: team …) become plain content an email can show
    tokens = md.parse(fields.protect(text.body), env)
    for line, message, fix in env.get("block_problems", ()):
        problems.append(Diagnostic(text.source, text.body_line + line, message, fix))

    def visit(toks, line):
        for tok in toks:
            here = text.body_line + (tok.map[0] if tok.map else line)
            if tok.type in ("softbreak", "hardbreak"):  # the inline children of a paragraph have no map
                line += 1
            elif tok.type == "text" and not tok.map:
                line += tok.content.count("\n")
            _style_token(tok, styles)
            if tok.type == "link_open" and tok.attrGet("href"):
                tok.attrSet("href", rewriter.rewrite(str(tok.attrGet("href")), "link", text.source, here))
            elif tok.type == "image" and tok.attrGet("src"):
                tok.attrSet("src", rewriter.rewrite(str(tok.attrGet("src")), "image", text.source, here))
            elif tok.type in ("html_inline", "html_block"):
                def sub(m, here=here, content=tok.content):
                    kind = "image" if m.group(1).lower().lstrip().startswith("src") else "link"
                    at = here + content.count("\n", 0, m.start())
                    return m.group(1) + m.group(2) + rewriter.rewrite(m.group(3), kind, text.source, at) + m.group(2)
                tok.content = _ATTR_URL_RE.sub(sub, tok.content)
            if tok.children:
                visit(tok.children, (tok.map[0] if tok.map else line))

    visit(tokens, 0)
    problems.extend(rewriter.refused)

    blocks: list[dict] = []
    cta_done = False
    for block in _top_blocks(tokens):
        if block[0].type == "paragraph_open" and len(block) == 3:
            kids = _meaningful(block[1].children or [])
            if (not cta_done and len(kids) >= 3 and kids[0].type == "link_open" and kids[-1].type == "link_close"
                    and all(k.type in ("text", "strong_open", "strong_close", "em_open", "em_close", "code_inline")
                            for k in kids[1:-1])):
                label = _inline_plain(kids[1:-1]).strip()
                blocks.append({"kind": "button", "href": kids[0].attrGet("href"), "label": label})
                cta_done = True
                continue
            img = kids[1] if len(kids) == 3 and kids[0].type == "link_open" else (kids[0] if len(kids) == 1 else None)
            if img is not None and img.type == "image" and (len(kids) == 1 or kids[2].type == "link_close"):
                blocks.append({"kind": "image", "src": img.attrGet("src"), "alt": img.content or "",
                               "href": kids[0].attrGet("href") if len(kids) == 3 else None})
                continue
        html = md.renderer.render(block, md.options, env)
        if blocks and blocks[-1]["kind"] == "text":
            blocks[-1]["html"] += html
        else:
            blocks.append({"kind": "text", "html": html})
    # Footnotes (a plugin) render their own block at the end.
    if not cta_done and promo.page and not promo.draft:
        blocks.append({"kind": "button", "href": rewriter.rewrite(page_url, "link", text.source, text.body_line),
                       "label": t["see_offer"]})
    for b in blocks:
        if b["kind"] == "text":
            # Script, iframe, form and object never get into an email, whatever the site allows.
            b["html"] = Markup(for_email(b["html"]).strip())

    logo_url, logo_local, logo_width = email_logo(cfg)
    if logo_url:
        rewriter.refs.append(LinkRef(logo_url, cfg.theme.logo or "", "image", cfg.path, cfg.line_of("theme", "logo") or 1,
                                     "/" + logo_url.split("/", 3)[-1], logo_local))
    mail = cfg.mail
    unsubscribe = fields.placeholder(Field("unsubscribe_url", ""))
    accent = cfg.theme.accent_color
    # Without a preheader the inbox would show the first text of the email, the "view in
    # browser" line: the body's first sentence is said there instead.
    preheader = fields.protect(text.preheader) if text.preheader.strip() else first_sentence(tokens)
    context = dict(
        lang=used_lang, text_dir=direction(used_lang), site_name=text_for(cfg, used_lang, "name"),
        site_url=cfg.base_url + "/", site_url_label=urlsplit(cfg.base_url).hostname or cfg.base_url,
        tagline=text_for(cfg, used_lang, "tagline"), logo_url=logo_url, logo_width=logo_width,
        valid_until=(f"{t['valid_until']} {format_date(last_day(promo.ends), used_lang)}" if promo.ends else ""),
        primary_color=cfg.theme.primary_color, on_primary=on_color(cfg.theme.primary_color),
        link_color=styles["link"], accent_color=accent, on_accent=on_color(accent),
        **dark_colors(cfg.theme.primary_color),
        title=fields.protect(text.title), banner=fields.protect(text.banner),
        preheader=preheader, blocks=blocks,
        # Invisible filler after the preheader, so mail apps do not append the body's first words to it.
        preheader_filler=Markup("&#847;&zwnj;&nbsp;" * 90) if preheader.strip() else "",
        # "View in browser": the newsletter page, which stays after the promotion ends.
        web_url=_iri_to_uri(cfg.base_url + promo.newsletter_url(
            used_lang, cfg.default_language, {lg: path_word(cfg, lg, "newsletter") for lg in cfg.languages}))
        if not promo.draft else None,
        postal_address=mail.postal_address, reason=t["reason"].format(name=text_for(cfg, used_lang, "name")),
        unsubscribe_url=unsubscribe, t=t,
    )
    tpl_path = template_path(cfg)
    own_template = tpl_path.parent != BUILTIN_TEMPLATES
    tpl_rel = ws.rel(tpl_path) if own_template else f"built-in {TEMPLATE_NAME}"
    import jinja2

    try:
        mjml_src = _jinja_env(cfg).get_template(TEMPLATE_NAME).render(**context)
    except jinja2.TemplateSyntaxError as exc:
        problems.append(Diagnostic(tpl_rel, exc.lineno, f"email template error: {exc.message}",
                                   "fix the Jinja2 syntax at that line"))
        return None, problems
    except jinja2.TemplateError as exc:
        problems.append(Diagnostic(tpl_rel, None, f"email template error: {exc}",
                                   "the template may only use the names listed at the top of the built-in email.mjml"))
        return None, problems

    from mjml import mjml2html

    try:
        html = mjml2html(mjml_src, disable_comments=True)
    except Exception as exc:  # MRML raises ValueError with its reason; no line numbers
        line = text.body_line if tpl_rel.startswith("built-in") else None
        where = text.source if tpl_rel.startswith("built-in") else tpl_rel
        problems.append(Diagnostic(where, line, f"MJML does not compile: {exc}",
                                   "raw HTML in the body or the template must be well-formed: close every tag "
                                   "(<br /> not <br>), quote attributes" + ("" if tpl_rel.startswith("built-in")
                                                                             else f"; template: {tpl_rel}")))
        return None, problems

    writer = TextWriter()
    writer.lang = used_lang
    writer.write(tokens)
    plain = _text_part(cfg, text, fields, writer, t, unsubscribe, context)
    if "<head>" in html and 'name="color-scheme"' not in html:
        html = html.replace("<head>", '<head><meta name="color-scheme" content="light dark">'
                            '<meta name="supported-color-schemes" content="light dark">', 1)
    # Locale typography in both parts (the subject stays as written).
    html = nbsp_html(html, used_lang)
    plain = nbsp_text(plain, used_lang)
    compiled = CompiledEmail(
        client=cfg.client, slug=promo.slug, lang=lang, text_lang=used_lang, source=text.source,
        subject=fields.protect(text.subject), html=html, plain=plain, fields=fields, links=rewriter.refs,
        template=tpl_rel, mjml=mjml_src,
    )
    return compiled, problems


def _text_part(cfg, text, fields, writer: TextWriter, t, unsubscribe: str, context) -> str:
    head = [context["site_name"]]
    if context["banner"]:
        head += ["", context["banner"]]
    title = context["title"]
    head += ["", title, "=" * min(len(title), TextWriter.WIDTH)]
    body = "\n".join(writer.lines).strip("\n")
    out = "\n".join(head) + "\n\n" + body + "\n"
    if context["blocks"] and context["blocks"][-1]["kind"] == "button" and context["blocks"][-1]["label"] == t["see_offer"]:
        out += f"\n{t['see_offer']}: {context['blocks'][-1]['href']}\n"
    if writer.urls:
        out += f"\n{t['links']}:\n" + "\n".join(f"[{n}] {u}" for n, u in enumerate(writer.urls, 1)) + "\n"
    footer = ["", "-- ", context["site_name"], context["postal_address"], cfg.base_url + "/", "",
              *textwrap.wrap(context["reason"], TextWriter.WIDTH), f"{t['unsubscribe_text']}: {unsubscribe}"]
    return out + "\n".join(footer) + "\n"
