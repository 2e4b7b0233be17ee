"""Raw HTML in Markdown, within the site's `[content]` policy.

The author may write HTML. On the web, `<script>`, inline event handlers (`onclick=`…),
`javascript:`/`vbscript:` URLs and `data:` URLs other than pictures are refused unless the site
sets `allow_scripts = true` (the one URL policy of config.content), and an
`<iframe>` (or `<object>`/`<embed>`) may load only from the hosts listed in `embeds`.
In email, script, iframe, form and object elements never get through, whatever the site
allows (``for_email`` removes them, with their content).

Both work on the HTML fragments as written (``policy_problems``) or rendered (``for_email``)
with the standard library's HTML parser: pure functions, text in, findings out.
"""
from __future__ import annotations

import html
from html.parser import HTMLParser
from urllib.parse import urlsplit

from ..config.content import SCRIPTS_FIX, unsafe_scheme

URL_ATTRS = frozenset({"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background"})
EMBED_TAGS = frozenset({"iframe", "frame", "object", "embed"})
EMAIL_DROPPED = frozenset({"script", "iframe", "frame", "frameset", "form", "object", "embed", "applet",
                           "noscript", "input", "button", "select", "textarea"})
IMAGE_ATTRS = frozenset({("img", "src"), ("source", "src"), ("input", "src"), ("video", "poster"),
                         ("image", "href"), ("image", "xlink:href")})
"""(tag, attribute) pairs whose URL is a picture: there a `data:image/...` URL is only a picture."""
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"})


def is_script_url(value: str) -> bool:
    """javascript:/vbscript: URLs, however they are spaced or cased (as browsers read them)."""
    return unsafe_scheme(value) in ("javascript", "vbscript")


def _refused_url(tag: str, name: str, value: str | None) -> str | None:
    """The scheme a URL attribute may not carry (see config.content.unsafe_scheme), or None."""
    if not value or name not in URL_ATTRS:
        return None
    return unsafe_scheme(value, image=(tag, name) in IMAGE_ATTRS)


def host_of(url: str) -> str:
    try:
        return (urlsplit(url.strip() if not url.strip().startswith("//") else "https:" + url.strip()).hostname or "")
    except ValueError:
        return ""


class _Scan(HTMLParser):
    def __init__(self, allow_scripts: bool, embeds: frozenset[str]):
        super().__init__(convert_charrefs=True)
        self.allow_scripts, self.embeds = allow_scripts, embeds
        self.found: list[tuple[int, str, str]] = []

    def _add(self, message: str, fix: str) -> None:
        self.found.append((self.getpos()[0] - 1, message, fix))

    def handle_starttag(self, tag, attrs):
        self._check(tag, attrs)

    def handle_startendtag(self, tag, attrs):
        self._check(tag, attrs)

    def _check(self, tag: str, attrs) -> None:
        scripts_fix = SCRIPTS_FIX
        if not self.allow_scripts:
            if tag == "script":
                self._add("`<script>` in the text", scripts_fix)
            for name, value in attrs:
                scheme = None if name.startswith("on") else _refused_url(tag, name, value)
                if name.startswith("on"):
                    self._add(f"inline event handler `{name}=` on `<{tag}>`", scripts_fix)
                elif scheme == "data":
                    self._add(f"`data:` URL in `{name}` of `<{tag}>`: a browser opens it as a page of its own",
                              scripts_fix)
                elif scheme:
                    self._add(f"`{scheme}:` URL in `{name}` of `<{tag}>`", scripts_fix)
        if tag in EMBED_TAGS:
            src = dict(attrs).get("src") or dict(attrs).get("data") or ""
            host = host_of(src)
            if not host or host.lower() not in self.embeds:
                listed = ", ".join(sorted(self.embeds)) or "none yet"
                shown = host or (src or "no src")
                self._add(f"`<{tag}>` loads from {shown}, which is not among the allowed embeds ({listed})",
                          f'if you trust it, add "{host or "the host"}" to `embeds` under [content] in site.toml '
                          '(e.g. embeds = ["www.openstreetmap.org", "www.youtube-nocookie.com"])')


def policy_problems(fragment: str, *, allow_scripts: bool, embeds) -> list[tuple[int, str, str]]:
    """(line within the fragment, 0-based; message; fix) of everything the policy refuses."""
    low = fragment.lower()
    if "<" not in low or not any(k in low for k in ("script", "on", "javascript", "vbscript", "data", "frame",
                                                      "object", "embed", "&#")):
        return []
    scan = _Scan(allow_scripts, frozenset(h.lower() for h in embeds))
    scan.feed(fragment)
    scan.close()
    return scan.found


class _EmailFilter(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.out: list[str] = []
        self.skip = 0  # depth inside a dropped element

    def handle_starttag(self, tag, attrs):
        if tag in EMAIL_DROPPED:
            if tag not in _VOID:
                self.skip += 1
            return
        if not self.skip:
            self.out.append(self._tag(tag, attrs, self.get_starttag_text(), ""))

    def handle_startendtag(self, tag, attrs):
        if tag in EMAIL_DROPPED or self.skip:
            return
        self.out.append(self._tag(tag, attrs, self.get_starttag_text(), " /"))

    def handle_endtag(self, tag):
        if tag in EMAIL_DROPPED:
            if tag not in _VOID and self.skip:
                self.skip -= 1
            return
        if not self.skip:
            self.out.append(f"</{tag}>")

    @staticmethod
    def _tag(tag, attrs, raw, close):
        bad = any(n.startswith("on") or _refused_url(tag, n, v) for n, v in attrs)
        if not bad:
            return raw
        kept = "".join(f' {n}="{html.escape(v, quote=True)}"' if v is not None else f" {n}"
                       for n, v in attrs if not (n.startswith("on") or _refused_url(tag, n, v)))
        return f"<{tag}{kept}{close}>"

    def handle_data(self, data):
        if not self.skip:
            self.out.append(data)

    def handle_entityref(self, name):
        if not self.skip:
            self.out.append(f"&{name};")

    def handle_charref(self, name):
        if not self.skip:
            self.out.append(f"&#{name};")

    def handle_comment(self, data):
        pass  # comments (and conditional comments with code) do not belong in a campaign body

    def handle_decl(self, decl):
        pass

    def unknown_decl(self, data):
        pass


def for_email(body_html: str) -> str:
    """The HTML with script, iframe, form and object elements (and their content), inline
    event handlers, javascript:/vbscript: URLs and data: URLs other than pictures removed."""
    low = body_html.lower()
    if not any(k in low for k in ("<script", "<iframe", "<frame", "<form", "<object", "<embed", "<applet", "<noscript",
                                   "<input", "<button", "<select", "<textarea", " on", "javascript", "vbscript", "data",
                                   "&#", "<!--")):
        return body_html
    f = _EmailFilter()
    f.feed(body_html)
    f.close()
    return "".join(f.out)
