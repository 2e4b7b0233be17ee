"""Internal link checking: every link or image in a page or promotion must point at an
output of the same plan. Verdicts are memoised in a LinkMemo of their own."""
from __future__ import annotations

import posixpath
import re
from urllib.parse import unquote, urljoin

from ..config.business import promo_words
from ..content.pages import file_link, output_path
from ..errors import Diagnostic, did_you_mean
from .cache import LinkMemo, PageLinks
from .plan import SitePlan, fingerprint
from .sources import SiteContent, nfc, render_md
from .writer import content_hash

_SCHEME_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def check_links(plan: SitePlan, content: SiteContent, memo: LinkMemo) -> tuple[list[Diagnostic], LinkMemo, bool]:
    """(problems, the memo for next time, whether it differs from ``memo``)."""
    outputs = plan.outputs
    problems: list[Diagnostic] = []
    # A page's verdict depends only on the set of outputs, its links and its URL: while
    # the set of outputs stays the same, only pages that changed are checked again.
    outputs_key = fingerprint(sorted(outputs))
    old_pages = memo.pages if memo.outputs_key == outputs_key else {}
    new = LinkMemo(outputs_key)
    changed = outputs_key != memo.outputs_key
    page_urls = None

    def exists(path: str) -> bool:
        path = path.lstrip("/")
        if path == "" or path.endswith("/"):
            return (path + "index.html") in outputs
        return path in outputs or (path + "/index.html") in outputs

    def check(source: str, line: int, target: str, base_url: str, kind: str, md_links=None, relpath=None) -> None:
        target = target.strip()  # browsers ignore spaces around an href: " javascript:…" is a scheme too
        if md_links and target in md_links:
            return  # a link to a page's file, resolved by the plan
        linked = file_link(relpath, target) if relpath is not None and kind == "link" else None
        if linked is not None:
            wanted = linked[0]
            problems.append(Diagnostic(source, line, f"broken internal link: {target} is not a page in this build "
                                       f"(no visible content/{wanted})",
                                       "correct the file name (relative to this file's folder), or publish that page"))
            return
        if not target or target.startswith(("#", "//")) or _SCHEME_RE.match(target):
            return
        path = target.split("#", 1)[0].split("?", 1)[0]
        if not path:
            return
        if path[0] == "/" and "%" not in path and "/." not in path and "//" not in path:
            if exists(nfc(path)):  # a site path needs no resolving
                return
        resolved = unquote(urljoin(base_url, path))
        resolved = posixpath.normpath(resolved) + ("/" if resolved.endswith("/") and resolved != "/" else "")
        if exists(nfc(resolved)):
            return
        what = "image" if kind == "image" else "link"
        if kind == "image":
            fix = f"put the file under sites/{plan.cfg.client}/static{resolved} or correct the path"
        else:
            nonlocal page_urls
            if page_urls is None:
                page_urls = sorted("/" + p[: -len("index.html")] for p in outputs if p.endswith("index.html"))
            hint = did_you_mean(resolved, page_urls)
            fix = hint or "correct the link, or create the page it points to (a draft or expired page does not count)"
        problems.append(Diagnostic(source, line, f"broken internal {what}: {target} goes nowhere in this build", fix))

    for page, url in plan.links:
        job = outputs[output_path(url)].job
        md_links = dict(getattr(job, "md_links", ()) or ())
        key = (content.sha[page.relpath], url, tuple(sorted(md_links.items())))
        found = old_pages.get(page.relpath)
        if found is None or found.key != key:
            before = len(problems)
            for target, line, kind in content.links.get(page.relpath, ()):
                check(page.source, page.body_line + line, target, url, kind, md_links, page.relpath)
            found = PageLinks(key, problems[before:])
            changed = True
        else:
            problems.extend(found.problems)
        new.pages[page.relpath] = found
    changed = changed or new.pages.keys() != memo.pages.keys()
    words = promo_words(plan.cfg)
    for pr in content.promotions:
        for text in (pr.default, *pr.translations.values()):
            body_sha = content_hash(text.body.encode())
            found = memo.promo_links.get(body_sha)
            if found is None:
                found = render_md(text.body).links
                changed = True
            new.promo_links[body_sha] = found
            url = pr.url(text.lang, plan.cfg.default_language, words)
            for target, line, kind in found:
                check(text.source, text.body_line + line, target, url, kind)
    changed = changed or new.promo_links.keys() != memo.promo_links.keys()
    return problems, new, changed
