"""WordPress post bodies: the classic editor's paragraphs, shortcodes and HTML -> Markdown.

[caption], [gallery], [embed], [youtube], [vimeo], [audio] and [video] (and a video link on
its own line) are converted; any other shortcode stays as written, and the leftover detector
reports it. Links to WordPress's attachment pages point at the image file itself.
"""
from __future__ import annotations

import re

from .common import SiteImport, figure, html_to_markdown, url_path, vimeo, youtube

BLOCK_RE = re.compile(r"^\s*<(?:p|div|h[1-6]|ul|ol|li|table|blockquote|pre|figure|hr|form|iframe|!--|img\s[^>]*class)", re.I)
INNER_BLOCK_RE = re.compile(r"<(?:ul|ol|table|div|blockquote|pre|h[1-6]|figure)\b", re.I)
ATTR_RE = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|(\S+))""")


def _attrs(text: str) -> dict:
    return {m.group(1).lower(): next(g for g in m.groups()[1:] if g is not None) for m in ATTR_RE.finditer(text)}


def autop(text: str) -> str:
    """WordPress's classic editor stores paragraphs as blank lines (wpautop adds the <p>s
    when showing them); give them back their <p>s so the converter keeps them apart."""
    if "<!-- wp:" in text:
        return text  # block editor: already HTML
    out = []
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n")):
        if not block.strip():
            continue
        if BLOCK_RE.match(block) or block.strip().startswith("["):
            out.append(block)
        elif (m := INNER_BLOCK_RE.search(block)) is not None:  # text, then a list or table: the text is a paragraph
            out.append("<p>" + block[: m.start()].strip().replace("\n", "<br>\n") + "</p>\n" + block[m.start():])
        else:
            out.append("<p>" + block.strip().replace("\n", "<br>\n") + "</p>")
    return "\n\n".join(out)



def attachment_links(body: str, attachments: dict, base_url: str) -> str:
    """Links to WordPress's attachment pages (/2010/09/10/a-post/img_0767/, an HTML page per
    image that a static site does not have) point at the image file itself."""
    if "](" not in body:
        return body
    for a in attachments.values():
        page = url_path(a.get("page") or "", base_url)
        file = url_path(a.get("url") or "", base_url) or a.get("url")  # a CDN host: the full URL
        if page and file and page != "/":
            for form in {page, page.rstrip("/")}:  # WordPress writes them with and without the slash
                body = body.replace(f"]({form})", f"]({file})")
    return body


def convert(html: str, pid: str, attachments: dict, imp: SiteImport, src: str, line) -> tuple[str, str | None]:
    """A post's HTML (with shortcodes) -> Markdown, and the summary before <!--more-->."""
    summary = None
    m = re.search(r"<!--\s*more\s*-->", html)
    if m:
        from .common import plain_summary

        summary = plain_summary(re.sub(r"<[^>]+>", " ", html[: m.start()])) or None
        html = html[: m.start()] + "\n\n" + html[m.end():]
    html = autop(html)
    codes: list[tuple[str, str]] = []

    def keep(markdown: str) -> str:
        codes.append(("", markdown))
        return f"\n\nSKCODE{len(codes) - 1}X\n\n"

    def caption(m):
        inner = m.group(2)
        img = re.search(r"<img\b[^>]*>", inner)
        text = re.sub(r"<[^>]+>", "", inner[img.end():] if img else inner).strip()
        if not img:
            return inner
        a = _attrs(img.group(0))
        href = re.search(r'<a\b[^>]*href="([^"]+)"', inner)
        return keep(figure(a.get("src", ""), text, a.get("alt", ""), href.group(1) if href else ""))

    html = re.sub(r"\[caption([^\]]*)\](.*?)\[/caption\]", caption, html, flags=re.S)

    def gallery(m):
        a = _attrs(m.group(1))
        ids = [i.strip() for i in a.get("ids", "").split(",") if i.strip()]
        if not ids:
            ids = [k for k, v in attachments.items() if v["parent"] == pid]
        images = []
        for i in ids:
            att = attachments.get(i)
            if att is None:
                imp.note(src, line, f"[gallery] names attachment {i}, which is not in the export",
                         "add the image by hand")
                continue
            path = url_path(att["url"], imp.base_url) or att["url"]
            images.append(f"![{(att['alt'] or att['title']).replace(']', '')}]({path})")
        return keep("\n".join(images) + "\n") if images else ""

    html = re.sub(r"\[gallery([^\]]*)\]", gallery, html)

    def embed(url: str):
        url = url.strip()
        if "youtu" in url:
            code, host = youtube(url)
        elif "vimeo" in url:
            code, host = vimeo(url)
        else:
            return keep(f"[{url}]({url})\n")
        imp.embeds.add(host)
        return keep(code + "\n")

    html = re.sub(r"\[embed[^\]]*\](.*?)\[/embed\]", lambda m: embed(re.sub(r"<[^>]+>", "", m.group(1))), html, flags=re.S)
    html = re.sub(r"\[(youtube|vimeo)\s+([^\]]+)\]", lambda m: embed(_attrs(m.group(2)).get("id") or m.group(2).strip()), html)
    # oEmbed: a video URL alone on its line (or in a paragraph of its own)
    html = re.sub(r"(?m)^(?:<p>)?\s*(https?://(?:www\.)?(?:youtube\.com/watch\?v=[\w-]+|youtu\.be/[\w-]+|vimeo\.com/\d+)\S*)\s*(?:</p>)?$",
                  lambda m: embed(m.group(1)), html)

    def media(m):
        a = _attrs(m.group(2))
        source = a.get("src") or a.get("mp4") or a.get("mp3") or next((v for k, v in a.items() if k in ("webm", "ogg", "m4a")), "")
        if not source:  # [audio https://…/song.mp3]: the file as the one bare argument
            bare = re.match(r"\s*((?:https?:/)?/\S+\.\w{2,4})\s*$", m.group(2))
            source = bare.group(1) if bare else ""
        if not source:
            return m.group(0)
        path = url_path(source, imp.base_url) or source
        return keep(f'<{m.group(1)} controls src="{path}"></{m.group(1)}>\n')

    html = re.sub(r"\[(audio|video)([^\]]*)\](?:\s*\[/\1\])?", media, html)
    body = html_to_markdown(html)
    for n, (_, markdown) in enumerate(codes):
        body = body.replace(f"SKCODE{n}X", markdown.strip("\n"))
    return body, summary
