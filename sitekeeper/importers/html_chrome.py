"""What an old HTML site's pages repeat around their content: the navigation becomes the menu,
the footer's links (Impressum, Datenschutz, AGB …) a footer menu every page shows, and the
scripts and forms a static site cannot run are named in the report. A contact form becomes a
mailto: link to the address the site gives (its form's action, else a mailto: link on it).
"""
from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TYPE_CHECKING
from urllib.parse import unquote, urljoin, urlsplit

from .common import SiteImport, attr, url_path

if TYPE_CHECKING:
    from bs4 import Tag

    from .html_page import OldPage

FOOTER_TEMPLATE = "partials/footer_links.html"
"""The theme's place for footer links (its override file under the client's templates/)."""


@dataclass
class Chrome:
    nav: list[tuple[str, str]] = field(default_factory=list)
    """(text, href) of the navigation's links, in order."""
    footer: list[tuple[str, str]] = field(default_factory=list)
    """(text, href) of the footer's links, in order."""
    scripts: list[str] = field(default_factory=list)
    """The scripts the page loads, by name (file name, or host for another site's)."""
    mailto: str = ""
    """The first mailto: address the page links to."""


def _links(element: Tag) -> list[tuple[str, str]]:
    out = []
    for a in element.find_all("a", href=True):
        text = a.get_text(" ", strip=True)
        href = attr(a, "href")
        if text and not href.startswith("#"):
            out.append((text, href.strip()))
    return out


def read_chrome(page_html: str) -> Chrome:
    """The navigation, footer links, scripts and first mailto: address of one page."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page_html, "html.parser")
    found = Chrome()
    footer = soup.find("footer") or soup.find(id=re.compile(r"^footer$", re.I)) \
        or soup.find(class_=re.compile(r"(^|\b)(site-)?footer$", re.I))
    navs = [n for n in soup.find_all("nav") if footer is None or n not in footer.find_all("nav")]
    header = soup.find("header")
    nav = next((n for n in navs if n.find("a", href=True)), None)
    if nav is None and header is not None and header.find("ul"):
        nav = header.find("ul")
    if nav is not None:
        found.nav = _links(nav)
    if footer is not None:
        found.footer = _links(footer)
    for script in soup.find_all("script"):
        src = str(script.get("src") or "").strip()
        if src:
            parts = urlsplit(src)
            name = PurePosixPath(parts.path).name or parts.netloc
            found.scripts.append(f"{name} ({parts.netloc})" if parts.netloc else name)
        elif script.string and script.string.strip() and str(script.get("type") or "").lower() not in (
                "application/ld+json", "application/json"):
            found.scripts.append("an inline script")
    mail = soup.find("a", href=re.compile(r"^mailto:", re.I))
    if mail is not None:
        found.mailto = unquote(str(mail["href"])[7:].split("?")[0]).strip()
    return found


def _target(href: str, old: str, base_url: str) -> str | None:
    """The site path a link goes to, or None for another site, a mailto: …"""
    path = url_path(urljoin(old, href), base_url)
    return unquote(path.split("#")[0]) if path else None


def apply_chrome(imp: SiteImport, pages: list[OldPage], by_old: dict[str, OldPage], where: str, deflang: str) -> None:
    """Menus from each language's navigation, the footer menu, and the report's lines on
    scripts and navigation links that go nowhere in the site."""
    chromes = {p.old: read_chrome(p.html) for p in pages}
    footer_items: dict[str, list[tuple[str, str]]] = {}
    for lang in imp.languages:
        mine = [p for p in pages if p.lang == lang]
        if not mine:
            continue
        home = next((p for p in mine if p.key == "index"), mine[0])
        chrome = chromes[home.old]
        menu_urls = _menu(imp, chrome.nav, home, by_old, lang, where)
        footer_items[lang] = _footer(imp, chrome.footer, home, by_old, lang, menu_urls, where)
    if any(footer_items.values()):
        # a language whose pages have no footer links of their own shows the default language's
        # (an Impressum is owed on every page)
        fallback = footer_items.get(deflang) or next(items for items in footer_items.values() if items)
        footer_items = {lang: footer_items.get(lang) or fallback for lang in imp.languages}
        several = len({tuple(items) for items in footer_items.values()}) > 1
        imp.templates[FOOTER_TEMPLATE] = footer_template(footer_items if several else {deflang: fallback}, several)
        shown = ", ".join(dict.fromkeys(t for items in footer_items.values() for t, _ in items))
        imp.note(f"{where}", None, f"the old footer's links ({shown}) are the footer menu of every page "
                 f"(templates/{FOOTER_TEMPLATE})", "edit that file to change them")
    _report_scripts(imp, pages, chromes, where)


def _menu(imp: SiteImport, nav: list[tuple[str, str]], home: OldPage, by_old: dict[str, OldPage], lang: str, where: str) -> set[str]:
    urls: set[str] = set()
    position = 0
    for text, href in nav:
        path = _target(href, home.old, imp.base_url)
        target = by_old.get(path) if path else None
        if path is None or target is None or target.lang != lang:
            if path is None and not href.lower().startswith(("mailto:", "tel:")):
                imp.note(f"{where}/{home.rel}", None, f"the navigation's link {text!r} goes to another site "
                         f"({href}); not in the menu", "link to it from a page if it matters")
            continue
        if path in urls:
            continue
        urls.add(path)
        position += 1
        meta = target.imported.meta
        meta["menu"] = position
        if text != meta.get("title"):
            meta["menu_title"] = text
    return urls


def _footer(imp: SiteImport, links: list[tuple[str, str]], home: OldPage, by_old: dict[str, OldPage], lang: str, menu_urls: set[str],
            where: str) -> list[tuple[str, str]]:
    items: list[tuple[str, str]] = []
    for text, href in links:
        path = _target(href, home.old, imp.base_url)
        target = by_old.get(path) if path else None
        if path is None or target is None or path in menu_urls or any(u == path for _, u in items):
            continue
        items.append((text, path))
    return items


def footer_template(items: dict[str, list[tuple[str, str]]], per_language: bool) -> str:
    """The theme's footer_links.html override: one <li> per link, per language when there are several."""
    def li(text: str, url: str) -> str:
        shown = html.escape(text).replace("{", "&#123;").replace("}", "&#125;")
        return f'<li><a href="{html.escape(url)}"{{% if page.url == "{url}" %}} aria-current="page"{{% endif %}}>' \
               f"{shown}</a></li>"

    lines = ["{# The old site's footer links, as the import found them: every page shows them. #}"]
    for lang, links in items.items():
        if not links:
            continue
        if per_language:
            lines.append(f'{{% if page.lang == "{lang}" %}}')
        lines += [li(text, url) for text, url in links if '"' not in url]
        if per_language:
            lines.append("{% endif %}")
    return "\n".join(lines) + "\n"


def _report_scripts(imp: SiteImport, pages: list[OldPage], chromes: dict[str, Chrome], where: str) -> None:
    counted: Counter[str] = Counter()
    for p in pages:
        counted.update(set(chromes[p.old].scripts))
    if counted:
        named = ", ".join(f"{name} ({n} page{'s' if n > 1 else ''})" for name, n in sorted(counted.items()))
        imp.note(where, None, f"the old pages' scripts are not carried over: {named}",
                 "add back what the site needs (a booking widget, a map) as an embed or a link; "
                 "statistics and consent banners need the client's say")


# ---------------------------------------------------------------- forms

_CONTACT = re.compile(r"mail|message|nachricht|kontakt|contact|anfrage|comment|mensagem|mensaje|messaggio|"
                      r"zpráva|správa|wiadomo|üzenet|bericht", re.I)


def replace_forms(imp: SiteImport, content: str, origin: str, mailto: str) -> str:
    """Each <form> of a page's content named in the report; a contact form (an email field, a
    message box) becomes a mailto: link to ``mailto`` (its action's address first)."""
    if "<form" not in content.lower():
        return content
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(content, "html.parser")
    for form in soup.find_all("form"):
        action = str(form.get("action") or "")
        fields = [str(f.get("name") or f.get("type") or f.name) for f in form.find_all(["input", "textarea", "select"])
                  if str(f.get("type") or "").lower() not in ("hidden", "submit", "button")]
        labels = [lb.get_text(" ", strip=True) for lb in form.find_all("label")] or fields
        contact = bool(form.find("textarea")) or any(_CONTACT.search(f) for f in fields + labels) \
            or action.lower().startswith("mailto:")
        address = unquote(action[7:].split("?")[0]) if action.lower().startswith("mailto:") else mailto
        what = f"a form ({', '.join(labels[:6]) or 'no fields'}{', action ' + action if action else ''})"
        if contact and address:
            link = soup.new_tag("p")
            anchor = soup.new_tag("a", href=f"mailto:{address}")
            anchor.string = address
            link.append(anchor)
            form.replace_with(link)
            imp.note(origin, None, f"{what} cannot run on a static site: it is now a mailto: link to {address}",
                     "check the address, or link an outside form service the client uses")
        else:
            form.decompose()
            imp.note(origin, None, f"{what} cannot run on a static site; left out",
                     "link an outside service for it, or say on the page how to reach the business")
    return soup.decode()
