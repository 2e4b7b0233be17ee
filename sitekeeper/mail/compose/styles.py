"""The email's colours and inline styles: mail clients drop <style>, so every element the
Markdown makes carries its own `style`, mirrored for right-to-left languages."""
from __future__ import annotations

from typing import Any

from ...render.colors import contrast, mix, readable_on
from ...render.colors import on_color as _on_color


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


def styles(primary: str, rtl: bool = False) -> dict[str, str]:
    """Tag -> inline style (and "link" -> the links' colour)."""
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


def style_token(tok: Any, styles: dict[str, str]) -> None:
    """Give a Markdown token its tag's inline style, unless it has one."""
    if tok.type in _STYLED_OPEN or tok.type in ("link_open", "image", "code_inline", "fence", "code_block"):
        tag = {"link_open": "a", "image": "img", "code_inline": "code", "fence": "pre", "code_block": "pre"}.get(tok.type, tok.tag)
        style = styles.get(tag)
        if style and tok.attrGet("style") is None:
            tok.attrSet("style", style)
