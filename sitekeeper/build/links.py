"""Internal link checking: every link or image a page, a promotion, site.toml or the
client's templates show must point at an output of the same plan, and pass the site's URL
policy (config.content: no `javascript:`, `vbscript:` or non-image `data:` unless
`allow_scripts`). Verdicts on pages are memoised in a LinkMemo of their own."""
from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from urllib.parse import unquote, urljoin

from ..config.business import promo_words
from ..config.content import SCRIPTS_FIX
from ..content.pages import file_link, output_path
from ..errors import Diagnostic, did_you_mean
from .cache import LinkMemo, PageLinks
from .plan import SitePlan, fingerprint
from .sources import SiteContent, nfc, render_md
from .writer import content_hash

_SCHEME_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_URL_KEY_RE = re.compile(r"(?:^|_)(?:url|href|src|image|img|logo|icon|photo|picture|thumbnail)s?$", re.IGNORECASE)
"""Front matter fields whose value a template uses as a link or picture (`cta_url`, `hero_image`)."""
_IMAGE_KEY_RE = re.compile(r"(?:^|_)(?:src|image|img|logo|icon|photo|picture|thumbnail)s?$", re.IGNORECASE)
_SITE_PATH_RE = re.compile(r"^/(?!/)\S*(?:/|\.[A-Za-z0-9]{2,5})$")
"""A value of any field that is a site path all the same: `/kontakt/`, `/images/a.jpg`."""


def front_matter_urls(image: str | None, params: dict) -> Iterator[tuple[str, str, str, bool]]:
    """(dotted key, value, kind, url-named) of every text of a page's front matter a template
    may put in an `href` or `src`: `image` and each string under `params` (nested too)."""
    if isinstance(image, str):
        yield "image", image, "image", True
    stack: list[tuple[str, str, object]] = [("params." + str(k), str(k), v) for k, v in params.items()]
    seen = {id(params)}  # YAML anchors can make a mapping that holds itself
    while stack:
        path, name, value = stack.pop()
        if isinstance(value, str):
            kind = "image" if _IMAGE_KEY_RE.search(name) else "link"
            yield path, value, kind, bool(_URL_KEY_RE.search(name))
        elif isinstance(value, (dict, list)) and id(value) not in seen:
            seen.add(id(value))
            items = value.items() if isinstance(value, dict) else enumerate(value)
            stack.extend((f"{path}.{k}", str(k) if isinstance(value, dict) else name, v) for k, v in items)


def _checked_as_url(value: str, url_named: bool) -> bool:
    """Whether a front matter text is checked as a link: any text in a URL-named field (a
    `cta_url: Mehr erfahren` is a broken link too), and a site path in any other field."""
    v = value.strip()
    if not v or v.startswith(("#", "//")) or _SCHEME_RE.match(v):
        return False
    return url_named or bool(_SITE_PATH_RE.match(v))


def url_policy_problems(plan: SitePlan, content: SiteContent) -> list[Diagnostic]:
    """Every URL of the front matter (pages, promotions), site.toml and the client's templates that
    the site's URL policy refuses, at the line that names it (drafts and future pages too: they
    are refused before their day comes, not by the publish of that day)."""
    policy = plan.cfg.content
    if policy.allow_scripts:
        return []
    found = []

    def scan(source: str, line: int, key: str, value: str, kind: str, url_named: bool) -> None:
        problem = policy.url_problem(value, image=kind == "image")
        if problem is None:
            return
        if problem.startswith("a `data:") and not url_named and any(c.isspace() for c in value.strip()):
            return  # a sentence that begins "data: ..." is not a URL
        found.append(Diagnostic(source, line, f"`{key}` is {problem}", SCRIPTS_FIX))

    for page in content.pages:
        for key, value, kind, named in front_matter_urls(page.image, page.params):
            scan(page.source, _line(page.key_lines, key), key, value, kind, named)
    for pr in content.promotions:
        image = pr.meta.get("image")
        if isinstance(image, str):
            scan(pr.source, pr.default.line_of("image"), "image", image, "image", True)
    cfg = plan.cfg
    if cfg.business is not None and cfg.business.share_image:
        scan(cfg.path, cfg.line_of("business", "share_image") or 1, "share_image", cfg.business.share_image,
             "image", True)
    for source, line, value, kind in content.template_links:
        scan(source, line, "href" if kind == "link" else "src", value, kind, True)
    return found


def _line(key_lines: dict, key: str) -> int:
    """The line of a dotted front matter key, or of the nearest key above it that has one."""
    while key:
        if key in key_lines:
            return key_lines[key]
        key = key.rpartition(".")[0]
    return 1


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

    def check(source: str, line: int, target: str, base_url: str, kind: str, md_links=None, relpath=None,
              named: str = "") -> None:
        if kind == "gallery":
            problem = gallery_problem(plan, target)
            if problem:
                problems.append(Diagnostic(source, line, *problem))
            return
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
        if kind == "image" and path.startswith("static/"):
            fix = f"write it from the site's root, without static/: /{path[len('static/'):]}"
        elif kind == "image":
            fix = f"put the file under sites/{plan.cfg.client}/static{resolved} or correct the path"
        else:
            nonlocal page_urls
            if page_urls is None:
                page_urls = sorted("/" + p[: -len("index.html")] for p in outputs if p.endswith("index.html"))
            hint = did_you_mean(resolved, page_urls)
            fix = hint or "correct the link, or create the page it points to (a draft or expired page does not count)"
        named = f" (`{named}`)" if named else ""
        problems.append(Diagnostic(source, line, f"broken internal {what}: {target}{named} goes nowhere in this build",
                                   fix))

    for page, url in plan.links:
        job = outputs[output_path(url)].job
        md_links = dict(getattr(job, "md_links", ()) or ())
        key = (content.sha[page.relpath], url, tuple(sorted(md_links.items())))
        found = old_pages.get(page.relpath)
        if found is None or found.key != key:
            before = len(problems)
            for target, line, kind in content.links.get(page.relpath, ()):
                check(page.source, page.body_line + line, target, url, kind, md_links, page.relpath)
            for name, value, kind, named in front_matter_urls(page.image, page.params):
                if _checked_as_url(value, named):
                    check(page.source, _line(page.key_lines, name), value.strip(), url, kind, named=name)
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
            promo_found = memo.promo_links.get(body_sha)
            if promo_found is None:
                promo_found = render_md(text.body).links
                changed = True
            new.promo_links[body_sha] = promo_found
            url = pr.url(text.lang, plan.cfg.default_language, words)
            for target, line, kind in promo_found:
                check(text.source, text.body_line + line, target, url, kind)
    changed = changed or new.promo_links.keys() != memo.promo_links.keys()
    _check_other_urls(plan, content, check)
    problems.extend(theme_link_problems(plan, exists))
    problems.extend(url_policy_problems(plan, content))
    return problems, new, changed


def gallery_problem(plan: SitePlan, folder: str) -> tuple[str, str] | None:
    """(message, fix) when a gallery's folder (a site path ending in /) has no pictures to show."""
    from ..render.blocks.gallery import pictures

    if pictures(folder, plan.images):
        return None
    cfg = plan.cfg
    static = cfg.static_dir
    path = static / folder.strip("/")
    where = f"sites/{cfg.client}/static{folder}"
    probe = path
    while probe != static and probe != probe.parent:
        if probe.is_symlink():
            real = probe.resolve()
            if not real.is_relative_to(cfg.root.resolve()):
                return (f"the gallery folder {where} is a link to {real}, outside the client's folder: its "
                        "pictures are not published", "copy the pictures into the folder instead of linking to them")
        probe = probe.parent
    folders = sorted({url.rsplit("/", 1)[0] + "/" for url in plan.images})
    hint = did_you_mean(folder, folders)
    if path.is_dir():
        return (f"the gallery folder {where} holds no pictures (JPEG, PNG, WebP or GIF)",
                hint or "put the pictures in that folder, or name the folder they are in")
    return (f"the gallery folder {where} does not exist",
            hint or "create it and put the pictures in it, or correct the folder's name after `::: gallery`")


def _check_other_urls(plan: SitePlan, content: SiteContent, check) -> None:
    """Where the links beyond the pages' lead, through ``check``: promotions' `image`,
    [business] share_image and the site paths written in the client's templates."""
    cfg = plan.cfg
    words = promo_words(cfg)
    for pr in content.promotions:
        image = pr.meta.get("image")
        if isinstance(image, str) and _checked_as_url(image, True):
            check(pr.source, pr.default.line_of("image"), image.strip(),
                  pr.url(cfg.default_language, cfg.default_language, words), "image", named="image")
    share = cfg.business.share_image if cfg.business is not None else ""
    if share and _checked_as_url(share, True):
        # as the theme reads it: "static/x.jpg" is /x.jpg, anything else a URL from the site's root
        path = "/" + share[len("static/"):] if share.startswith("static/") else share
        check(cfg.path, cfg.line_of("business", "share_image") or 1, path, "/", "image", named="share_image")
    for source, line, target, kind in content.template_links:
        if _SITE_PATH_RE.match(target) or target == "/":
            check(source, line, target, "/", kind)


def theme_link_problems(plan: SitePlan, exists) -> list[Diagnostic]:
    """The links the theme puts on every page, checked as body links are: each language's home
    (the logo and the language bar of a page without a translation lead there), the menus and
    each language's feed. A warning per missing target (a site still being written has no home yet;
    `--strict` fails), naming the pages' part that links it."""
    cfg = plan.cfg
    g = plan.global_ctx
    found: list[Diagnostic] = []
    for lang in cfg.languages:
        home = g.get("home_pages", {}).get(lang) or cfg.home_url(lang)
        # the default language's missing home is the plan's own warning ("there is no home page")
        if lang != cfg.default_language and not exists(home):
            name = f"index.{lang}.md"
            found.append(Diagnostic(
                cfg.path, cfg.line_of("", "languages"),
                f"broken theme link: {home}, the home page of {lang!r}, goes nowhere in this build (the logo and the "
                f"language bar of every page without a {lang!r} version link there)",
                f"add content/{name} (a home page in that language), or take {lang!r} out of `languages`",
                "warning"))
        for _, title, url in g.get("menus", {}).get(lang, ()):
            if not exists(url):
                found.append(Diagnostic(cfg.path, None, f"broken theme link: the {lang!r} menu's {title!r} goes to "
                                        f"{url}, nowhere in this build", "correct that page's `url`, or its `menu`",
                                        "warning"))
        feed = g.get("home_urls", {}).get(lang, cfg.home_url(lang)) + "feed.xml"
        if not exists(feed):
            found.append(Diagnostic(cfg.path, None, f"broken theme link: the {lang!r} footer's feed link {feed} goes "
                                    "nowhere in this build", "report this: the build writes each language's feed",
                                    "warning"))
    return found
