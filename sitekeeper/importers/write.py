"""Turning an imported site into a client folder, then checking that it kept its word.

``write_import`` writes site.toml (or fits an existing one), content/ and static/, then
plans the new site and looks up every old URL: each must be a page or a redirect. What
could not be converted (shortcodes left in the text, missing files, URLs not kept) is
reported by file and line, and written to ``sites/<client>/import-report.txt``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..clock import Clock
from ..config import Workspace, load_site
from ..config.site import CLIENT_RE
from ..content.leftovers import find_leftovers
from ..errors import Diagnostic, ProblemsError, SitekeeperError
from .common import SiteImport, front_matter

REPORT_NAME = "import-report.txt"


@dataclass
class ImportResult:
    client: str
    kind: str
    pages: int
    """Pages written under content/."""
    files: int
    """Files written under static/."""
    urls_kept: int
    """Old URLs that are pages or redirects in the new site."""
    problems: list[Diagnostic] = field(default_factory=list)
    """What could not be converted, by file and line."""
    report: str = ""
    """The report file, relative to the workspace."""

    def as_json(self) -> dict:
        return {"client": self.client, "from": self.kind, "pages": self.pages, "files": self.files,
                "urls_kept": self.urls_kept, "left_over": len(self.problems), "report": self.report,
                "problems": [d.as_json() for d in self.problems]}

    def summary(self) -> str:
        left = len(self.problems)
        return (f"{self.client}: imported {self.pages} pages and {self.files} files from {self.kind}, "
                f"{self.urls_kept} old URLs kept; "
                + (f"{left} things left to do by hand, listed in {self.report}" if left else "nothing left over"))


def _toml_str(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


_EMBED_SRC = re.compile(r"""<(?:iframe|frame|object|embed)\b[^>]*?\b(?:src|data)\s*=\s*["']([^"']+)["']""", re.I)


def raw_html_findings(imp: SiteImport) -> tuple[set[str], list[tuple[str, int, str]]]:
    """What the old pages hold that the [content] policy refuses by default: the hosts their
    iframes load from, and (page relpath, body line, message) of each script found."""
    from ..render.htmlpolicy import host_of, policy_problems

    hosts, scripts = set(), []
    for page in imp.pages:
        if "<" not in page.body:
            continue
        hosts.update(h.lower() for h in (host_of(m.group(1)) for m in _EMBED_SRC.finditer(page.body)) if h)
        for line, message, _ in policy_problems(page.body, allow_scripts=False, embeds=frozenset(hosts | imp.embeds)):
            if "embeds" not in message:
                scripts.append((page.relpath, line, message))
    return hosts, scripts


def _pages_with_children_as_index(imp: SiteImport) -> None:
    """``a/b.md`` beside a folder ``a/b/`` of other pages becomes ``a/b/index.md``: both would be
    the page at /a/b/ (the folder's listing), and the parent page is that listing's page."""
    folders = {page.relpath.rsplit("/", 1)[0] for page in imp.pages if "/" in page.relpath}
    for page in imp.pages:
        stem, dot, ext = page.relpath.rpartition(".")
        if not dot or stem.endswith("/index") or stem == "index":
            continue
        base, lang_dot, lang = stem.rpartition(".")
        key, suffix = (base, f".{lang}") if lang_dot and lang in imp.languages and "/" not in lang else (stem, "")
        if key in folders:
            page.relpath = f"{key}/index{suffix}.{ext}"


def site_toml(imp: SiteImport, allow_scripts: bool = False) -> str:
    lines = [
        f"name = {_toml_str(imp.name or 'My site')}",
        f"base_url = {_toml_str(imp.base_url)}",
        "languages = [" + ", ".join(_toml_str(lg) for lg in imp.languages) + "]"
        + ("   # the first is the default" if len(imp.languages) > 1 else ""),
        f"timezone = {_toml_str(imp.timezone)}",
    ]
    if imp.description:
        lines.append(f"description = {_toml_str(imp.description)}")
    if imp.in_subfolder or imp.embeds or allow_scripts:
        lines += ["", "[content]"]
        if allow_scripts:
            lines.append("allow_scripts = true   # the old pages run scripts (see import-report.txt); "
                         "remove them, then this line, if they are not needed")
        if imp.in_subfolder:
            lines.append("default_language_in_subfolder = true   # as on the old site: /" + imp.languages[0] + "/…")
        if imp.embeds:
            lines.append("embeds = [" + ", ".join(_toml_str(h) for h in sorted(imp.embeds)) + "]")
    theme = {k: v for k, v in imp.theme.items() if v}
    if theme:
        lines += ["", "[theme]                          # proposed from the old site"]
        lines += [f"{k} = {_toml_str(v)}" for k, v in theme.items()]
    return "\n".join(lines) + "\n"


def _fit_existing(text: str, imp: SiteImport) -> str:
    """An existing site.toml (made by `new client`, with its deploy targets) keeps every
    setting but the languages, which must be those of the imported content."""
    langs = "languages = [" + ", ".join(_toml_str(lg) for lg in imp.languages) + "]"
    if re.search(r"(?m)^languages\s*=.*$", text):
        text = re.sub(r"(?m)^languages\s*=.*$", langs, text, count=1)
    else:
        text = langs + "\n" + text
    if imp.in_subfolder and "default_language_in_subfolder" not in text:
        text = text.rstrip("\n") + "\n\n[content]\ndefault_language_in_subfolder = true\n" \
            if "[content]" not in text else text.replace("[content]", "[content]\ndefault_language_in_subfolder = true", 1)
    return text


def write_import(ws: Workspace, client: str, imp: SiteImport, clock: Clock, reporter) -> ImportResult:
    if not CLIENT_RE.match(client):
        raise ProblemsError([Diagnostic("--client", None, f"client name {client!r} is not valid",
                                        "use lowercase letters, digits and -, e.g. baeckerei-beispiel")])
    errors = [d for d in imp.problems if d.is_error]
    if errors:
        raise ProblemsError(errors)
    root = ws.sites_dir / client
    content = root / "content"
    if content.is_dir() and any(p.is_file() for p in content.rglob("*")):
        raise ProblemsError([Diagnostic(ws.rel(content), None, "this client already has content; an import "
                                        "never overwrites", "import into a new --client name, or move its content/ away")])
    existing = root / "site.toml"
    root.mkdir(parents=True, exist_ok=True)
    if existing.is_file():
        existing.write_text(_fit_existing(existing.read_text(encoding="utf-8"), imp), encoding="utf-8")
    static = root / "static"
    for rel, data in sorted(imp.static.items()):
        path = static / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data if isinstance(data, bytes) else Path(data).read_bytes())
    hosts, scripts = raw_html_findings(imp)
    imp.embeds |= hosts  # iframes the old site showed (a map, a video) keep working
    if not existing.is_file():
        existing.write_text(site_toml(imp, allow_scripts=bool(scripts)), encoding="utf-8")
    _pages_with_children_as_index(imp)
    problems = list(imp.problems)
    for relpath, line, message in scripts:
        problems.append(Diagnostic(f"sites/{client}/content/{relpath}", None,
                                   f"{message} (body line {line + 1}): the old page ran it, so allow_scripts = true "
                                   "was set under [content]",
                                   "remove the script if the page works without it, then remove allow_scripts",
                                   "warning"))
    seen = set()
    for page in imp.pages:
        if page.relpath in seen:
            problems.append(Diagnostic(page.origin, None, f"two pages map to content/{page.relpath}; the second was left out",
                                       "import it by hand under another file name"))
            continue
        seen.add(page.relpath)
        head = front_matter(page.meta)
        path = content / page.relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(head + page.body, encoding="utf-8")
        body_line = head.count("\n") + 1
        for line, kind, text in find_leftovers(page.body, body_line):
            problems.append(Diagnostic(ws.rel(path), line, f"{kind} {text!r} left in the text (from {page.origin})",
                                       "replace it with Markdown or HTML, or remove it", "warning"))
    _old_site_links(ws, client, imp, clock, problems)
    kept = _check_urls(ws, client, imp, clock, problems)
    report_path = root / REPORT_NAME
    lines = [f"# What the import from {imp.kind} left to do by hand ({len(problems)} items)", ""]
    lines += [str(d) for d in problems] or ["nothing"]
    report_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return ImportResult(client, imp.kind, len(seen), len(imp.static), kept, problems, ws.rel(report_path))


_BROKEN = re.compile(r"^broken internal link: (\S+) goes nowhere")


def _old_site_links(ws: Workspace, client: str, imp: SiteImport, clock: Clock, problems: list) -> None:
    """A link that went nowhere on the old site either (a page not in the export, a removed
    post) would stop the new site's build: it points at the old address instead, and the
    report lists it."""
    from ..build import check_site

    try:
        cfg = load_site(ws, client)
    except SitekeeperError:
        return
    base = (imp.base_url or cfg.base_url).rstrip("/")
    fixes: dict[str, set[tuple[int, str]]] = {}
    for d in check_site(ws, cfg, clock.now(cfg.tz)).problems.errors:
        m = _BROKEN.match(d.message)
        if m and d.path.startswith(f"sites/{client}/content/") and m.group(1).startswith("/") and d.line:
            fixes.setdefault(d.path, set()).add((d.line, m.group(1)))
    for rel, found in fixes.items():
        path = ws.root / rel
        lines = path.read_text(encoding="utf-8").split("\n")
        for line, target in sorted(found):
            old = lines[line - 1]
            lines[line - 1] = old.replace(f"]({target})", f"]({base}{target})").replace(
                f'href="{target}"', f'href="{base}{target}"')
            if lines[line - 1] != old:
                problems.append(Diagnostic(rel, line, f"the link {target} went to no page of the export: it now "
                                           f"points at the old site ({base}{target})",
                                           "link to a page of the new site, or remove the link", "warning"))
        path.write_text("\n".join(lines), encoding="utf-8")


def _check_urls(ws: Workspace, client: str, imp: SiteImport, clock: Clock, problems: list) -> int:
    """Every old URL of a published page is a page or a redirect of the new site."""
    from ..build import site_outputs

    try:
        cfg = load_site(ws, client)
    except SitekeeperError as exc:
        problems.extend(exc.diagnostics())
        return 0
    plan = site_outputs(ws, cfg, clock.now(cfg.tz))
    outputs = plan.outputs
    kept = 0
    for page in imp.pages:
        if page.meta.get("draft"):
            continue
        for url in page.old_urls:
            path = url.lstrip("/")
            if path in outputs or (path.rstrip("/") + "/index.html").lstrip("/") in outputs or \
                    (url.endswith("/") and (path + "index.html") in outputs):
                kept += 1
            else:
                problems.append(Diagnostic(f"sites/{client}/content/{page.relpath}", None,
                                           f"the old URL {url} is neither a page nor a redirect of the new site",
                                           f"add `{url}` to the page's `aliases`"))
    return kept
