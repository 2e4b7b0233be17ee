"""Raw HTML in Markdown, within the site's `[content]` policy.

The author may write HTML. On the web, `<script>`, inline event handlers (`onclick=`…) and
`javascript:` URLs are refused unless the site sets `allow_scripts = true`, and an
`<iframe>` (or `<object>`/`<embed>`) may load only from the hosts listed in `embeds`.
In email, script, iframe, form and object elements never get through, whatever the site
allows (``for_email`` removes them, with their content).

Both work on the HTML fragments as written (``policy_problems``) or rendered (``for_email``)
with the standard library's HTML parser: pure functions, text in, findings out.
"""
from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

URL_ATTRS = frozenset({"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background"})
EMBED_TAGS = frozenset({"iframe", "frame", "object", "embed"})
EMAIL_DROPPED = frozenset({"script", "iframe", "frame", "frameset", "form", "object", "embed", "applet",
                           "noscript", "input", "button", "select", "textarea"})
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"})
_CONTROL_RE = re.compile(r"[\x00-\x20]+")


def is_script_url(value: str) -> bool:
    """javascript:/vbscript: URLs, however they are spaced or cased (as browsers read them)."""
    v = _CONTROL_RE.sub("", html.unescape(value or "")).lower()
    return v.startswith(("javascript:", "vbscript:"))


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
        scripts_fix = ("remove it, or set `allow_scripts = true` under [content] in site.toml if this site "
                       "really needs scripts")
        if not self.allow_scripts:
            if tag == "script":
                self._add("`<script>` in the text", scripts_fix)
            for name, value in attrs:
                if name.startswith("on"):
                    self._add(f"inline event handler `{name}=` on `<{tag}>`", scripts_fix)
                elif name in URL_ATTRS and value and is_script_url(value):
                    self._add(f"`javascript:` URL in `{name}` of `<{tag}>`", scripts_fix)
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
    if "<" not in low or not any(k in low for k in ("script", "on", "javascript", "vbscript", "frame", "object",
                                                      "embed")):
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
        bad = any(n.startswith("on") or (n in URL_ATTRS and v and is_script_url(v)) for n, v in attrs)
        if not bad:
            return raw
        kept = "".join(f' {n}="{html.escape(v, quote=True)}"' if v is not None else f" {n}"
                       for n, v in attrs if not (n.startswith("on") or (n in URL_ATTRS and v and is_script_url(v))))
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
    event handlers and javascript: URLs removed."""
    low = body_html.lower()
    if not any(k in low for k in ("<script", "<iframe", "<frame", "<form", "<object", "<embed", "<applet", "<noscript",
                                   "<input", "<button", "<select", "<textarea", " on", "javascript", "vbscript", "<!--")):
        return body_html
    f = _EmailFilter()
    f.feed(body_html)
    f.close()
    return "".join(f.out)
