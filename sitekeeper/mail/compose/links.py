"""Every link and image of an email made absolute: relative to the promotion's page on the
client's site, with UTM parameters on the site's own links when asked, SVG images swapped
for their PNG sibling, and script URLs refused. Each one is recorded (LinkRef) for the
link check before a send."""
from __future__ import annotations

import posixpath
import re
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlencode, urljoin, urlsplit, urlunsplit

from ...config.content import unsafe_scheme
from ...errors import Diagnostic
from .styles import style_token
from .values import LinkRef

_ATTR_URL_RE = re.compile(r"""(\b(?:href|src)\s*=\s*)(["'])(.*?)\2""", re.I | re.S)


def iri_to_uri(url: str) -> str:
    parts = urlsplit(url)
    path = quote(parts.path, safe="/%:@!$&'()*+,;=-._~")
    return urlunsplit((parts.scheme, parts.netloc.encode("idna").decode() if parts.netloc and not parts.netloc.isascii() else parts.netloc,
                       path, quote(parts.query, safe="=&%+:/?@!$'()*,;-._~"), parts.fragment))


class UrlRewriter:
    """Absolute URLs for an email: relative to the promotion's page on the client's site."""

    def __init__(self, cfg: Any, page_url: str, utm: str | None):
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
        absolute = iri_to_uri(absolute)
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


def rewrite_tokens(toks: list, line: int, rewriter: UrlRewriter, styles: dict[str, str], source: str,
                   body_line: int) -> None:
    """Style every token and rewrite its URLs (Markdown links and images, and the href/src of
    raw HTML), each recorded at its line in ``source`` (the body starts at ``body_line``)."""
    for tok in toks:
        here = body_line + (tok.map[0] if tok.map else line)
        if tok.type in ("softbreak", "hardbreak"):  # the inline children of a paragraph have no map
            line += 1
        elif tok.type == "text" and not tok.map:
            line += tok.content.count("\n")
        style_token(tok, styles)
        if tok.type == "link_open" and tok.attrGet("href"):
            tok.attrSet("href", rewriter.rewrite(str(tok.attrGet("href")), "link", source, here))
        elif tok.type == "image" and tok.attrGet("src"):
            tok.attrSet("src", rewriter.rewrite(str(tok.attrGet("src")), "image", source, here))
        elif tok.type in ("html_inline", "html_block"):
            tok.content = _rewrite_html(tok.content, here, rewriter, source)
        if tok.children:
            rewrite_tokens(tok.children, (tok.map[0] if tok.map else line), rewriter, styles, source, body_line)


def _rewrite_html(content: str, here: int, rewriter: UrlRewriter, source: str) -> str:
    def sub(m: re.Match) -> str:
        kind = "image" if m.group(1).lower().lstrip().startswith("src") else "link"
        at = here + content.count("\n", 0, m.start())
        return m.group(1) + m.group(2) + rewriter.rewrite(m.group(3), kind, source, at) + m.group(2)
    return _ATTR_URL_RE.sub(sub, content)
