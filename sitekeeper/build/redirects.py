"""Redirect pages: what an old URL (a page's `aliases`) serves once the page has moved.

A static host cannot answer 301 for a path without server configuration, so each old URL
gets a small page that search engines treat as a permanent move (meta refresh 0 with a
canonical link) and that a visitor without the refresh can follow by hand. It includes
nothing else: no theme, no scripts.
"""
from __future__ import annotations

from html import escape


def redirect_html(base_url: str, to_url: str, lang: str, title: str) -> bytes:
    """The page at an old URL that sends the visitor to ``to_url`` (a site path)."""
    from urllib.parse import quote

    target = escape(base_url + quote(to_url, safe="/#%:@!$&'()*+,;=-._~"), quote=True)
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{escape(lang)}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(title)}</title>\n"
        f'<meta http-equiv="refresh" content="0; url={target}">\n'
        f'<link rel="canonical" href="{target}">\n'
        '<meta name="robots" content="noindex">\n'
        "</head>\n<body>\n"
        f'<p><a href="{target}">{escape(title)}</a></p>\n'
        "</body>\n</html>\n"
    ).encode("utf-8")
