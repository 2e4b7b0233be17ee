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


def site_toml(imp: SiteImport) -> str:
    lines = [
        f"name = {_toml_str(imp.name or 'My site')}",
        f"base_url = {_toml_str(imp.base_url)}",
        "languages = [" + ", ".join(_toml_str(lg) for lg in imp.languages) + "]"
        + ("   # the first is the default" if len(imp.languages) > 1 else ""),
        f"timezone = {_toml_str(imp.timezone)}",
    ]
    if imp.description:
        lines.append(f"description = {_toml_str(imp.description)}")
    if imp.in_subfolder or imp.embeds:
        lines += ["", "[content]"]
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
    if not existing.is_file():
        existing.write_text(site_toml(imp), encoding="utf-8")
    problems = list(imp.problems)
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
    kept = _check_urls(ws, client, imp, clock, problems)
    report_path = root / REPORT_NAME
    lines = [f"# What the import from {imp.kind} left to do by hand ({len(problems)} items)", ""]
    lines += [str(d) for d in problems] or ["nothing"]
    report_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return ImportResult(client, imp.kind, len(seen), len(imp.static), kept, problems, ws.rel(report_path))


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
