"""Turning an imported site into a client folder, then checking that it kept its word.

``write_import`` writes site.toml (or fits an existing one), content/ and static/, then
plans the new site and looks up every old URL: each must be a page or a redirect. What
could not be converted (shortcodes left in the text, missing files, URLs not kept) is
reported by file and line, and written to ``sites/<client>/import-report.txt`` (report.py
groups its repeats and ends it with the next steps).
"""
from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from ..clock import BadDate, Clock, get_zone
from ..config import Workspace, load_site
from ..config.site import CLIENT_RE
from ..content.leftovers import find_leftovers
from ..errors import Diagnostic, ProblemsError, SitekeeperError
from ..fsutil import atomic_write
from .common import SiteImport, front_matter, path_refusal, propose_timezone
from .report import report_text

REPORT_NAME = "import-report.txt"


class Refused(Exception):
    """A path the import may not write; the message says why."""


class ClientFolder:
    """Every file an import writes or rewrites goes through here, and only lands under
    ``sites/<client>/`` or ``campaigns/<client>/``.

    A path is refused when it could step out (``..``, an absolute path) or is not a name
    every system can hold (see ``path_refusal``); a folder or file already there that is a
    symbolic link is never written through (the link could point anywhere). Files are
    written whole: a temporary file beside them, then a rename, which replaces a name and
    never follows one.
    """

    def __init__(self, ws: Workspace, client: str):
        self.ws = ws
        self.roots = {"sites": ws.sites_dir / client, "campaigns": ws.campaigns_dir / client}

    def _real_dir(self, path: Path, create: bool) -> None:
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            if not create:
                raise Refused(f"{self.ws.rel(path)} does not exist") from None
            os.mkdir(path)
            return
        if stat.S_ISLNK(st.st_mode):
            raise Refused(f"{self.ws.rel(path)} is a symbolic link, which an import never writes through")
        if not stat.S_ISDIR(st.st_mode):
            raise Refused(f"{self.ws.rel(path)} is a file, not a folder")

    def folder(self, rel: str = "", area: str = "sites", create: bool = True) -> Path:
        """The folder ``rel`` of the client, each part a real folder (made when missing)."""
        base = self.roots[area]
        base.parent.mkdir(parents=True, exist_ok=True)
        self._real_dir(base, create)
        if rel:
            why = path_refusal(rel)
            if why:
                raise Refused(f"the path {rel!r} {why}")
            for part in rel.split("/"):
                base = base / part
                self._real_dir(base, create)
        return base

    def _target(self, rel: str, area: str, create: bool) -> Path:
        why = path_refusal(rel)
        if why:
            raise Refused(f"the path {rel!r} {why}")
        head, _, name = rel.rpartition("/")
        target = self.folder(head, area, create) / name
        try:
            st = os.lstat(target)
        except FileNotFoundError:
            return target
        if not stat.S_ISREG(st.st_mode):
            raise Refused(f"{self.ws.rel(target)} is a symbolic link or a folder, which an import never writes over")
        return target

    def write(self, rel: str, data: bytes, area: str = "sites") -> Path:
        """Write ``data`` at ``rel`` of the client's folder (raises Refused)."""
        target = self._target(rel, area, create=True)
        try:
            atomic_write(target, data, mkdir=False)
        except OSError as exc:
            raise Refused(f"{self.ws.rel(target)} cannot be written ({exc.strerror})") from None
        return target

    def read_text(self, rel: str, area: str = "sites") -> str | None:
        """The text of a file of the client's folder, or None when there is none."""
        try:
            target = self._target(rel, area, create=False)
        except Refused as exc:
            if "does not exist" in str(exc):
                return None
            raise
        try:
            fd = os.open(target, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except FileNotFoundError:
            return None
        with os.fdopen(fd, "rb") as fh:
            return fh.read().decode("utf-8")

    def has_files(self, rel: str) -> bool:
        """Whether the folder ``rel`` holds any file (links are not followed)."""
        top = self.roots["sites"] / rel
        return any(files for _, _, files in os.walk(top)) if top.is_dir() and not top.is_symlink() else False


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
    timezone: str = "UTC"
    """The timezone site.toml has now."""
    timezone_note: str = ""
    """Where that timezone came from, as said to the user."""

    def as_json(self) -> dict:
        return {"client": self.client, "from": self.kind, "pages": self.pages, "files": self.files,
                "urls_kept": self.urls_kept, "left_over": len(self.problems), "report": self.report,
                "timezone": self.timezone, "timezone_note": self.timezone_note,
                "problems": [d.as_json() for d in self.problems]}

    def summary(self) -> str:
        left = len(self.problems)
        return (f"{self.client}: imported {self.pages} pages and {self.files} files from {self.kind}, "
                f"{self.urls_kept} old URLs kept; "
                + (f"{left} things left to do by hand, listed in {self.report}" if left else "nothing left over")
                + (f"\n{self.timezone_note}" if self.timezone_note else ""))


def settle_timezone(imp: SiteImport, given: str | None, problems: list) -> str:
    """Set ``imp.timezone``: --timezone, else what the source says (when it is a zone), else
    a zone proposed from the site's language and country; returns the sentence that says so."""
    if given:
        imp.timezone, imp.timezone_from = given, "--timezone"
        return ""
    if imp.timezone_from:
        try:
            get_zone(imp.timezone)
            return f"timezone set to {imp.timezone} from {imp.timezone_from}"
        except BadDate:
            problems.append(Diagnostic(f"{imp.timezone_from}", None, f"the timezone {imp.timezone!r} is not a known "
                                       "zone; left out", "set `timezone` in site.toml, e.g. Europe/Berlin", "warning"))
    proposal = propose_timezone(imp.languages[0] if imp.languages else "en", imp.region)
    if proposal is None:
        imp.timezone, imp.timezone_from = "UTC", ""
        return ("timezone left at UTC: the old site does not say where it is; set `timezone` in site.toml "
                "(e.g. Europe/London) so that dates and send times are the client's")
    imp.timezone, why = proposal
    imp.timezone_from = why
    return f"timezone set to {imp.timezone} from {why}; change it in site.toml if wrong"


def _toml_str(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


_EMBED_SRC = re.compile(r"""<(?:iframe|frame|object|embed)\b[^>]*?\b(?:src|data)\s*=\s*["']([^"']+)["']""", re.I)


def raw_html_findings(imp: SiteImport) -> tuple[set[str], list[tuple[str, int, str]]]:
    """What the old pages hold that the [content] policy refuses by default: the hosts their
    iframes load from, and (page relpath, body line, message) of each script found."""
    from ..render.htmlpolicy import host_of, policy_problems

    hosts: set[str] = set()
    scripts: list[tuple[str, int, str]] = []
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
        f"timezone = {_toml_str(imp.timezone)}"
        + (f"   # from {imp.timezone_from}; change it if wrong" if imp.timezone_from not in ("", "--timezone") else ""),
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


def write_import(ws: Workspace, client: str, imp: SiteImport, clock: Clock, reporter,
                 timezone: str | None = None) -> ImportResult:
    if not CLIENT_RE.match(client):
        raise ProblemsError([Diagnostic("--client", None, f"client name {client!r} is not valid",
                                        "use lowercase letters, digits and -, e.g. baeckerei-beispiel")])
    errors = [d for d in imp.problems if d.is_error]
    if errors:
        raise ProblemsError(errors)
    out = ClientFolder(ws, client)
    root = ws.sites_dir / client
    try:
        out.folder()
        existing_text = out.read_text("site.toml")
    except Refused as exc:
        raise ProblemsError([Diagnostic(ws.rel(root), None, f"{exc}: nothing imported",
                                        "import into a new --client name, or replace the link by a real folder")]) from None
    if out.has_files("content"):
        raise ProblemsError([Diagnostic(ws.rel(root / "content"), None, "this client already has content; an import "
                                        "never overwrites", "import into a new --client name, or move its content/ away")])
    problems = list(imp.problems)
    zone_note = settle_timezone(imp, timezone, problems)
    if existing_text is not None:
        zone_note = "timezone kept as site.toml has it" if zone_note else ""
        _write_or_stop(out, "site.toml", _fit_existing(existing_text, imp).encode("utf-8"))
    files = _write_static(out, client, imp, problems)
    for rel, text in sorted(imp.templates.items()):
        _write_or_stop(out, f"templates/{rel}", text.encode("utf-8"))
    hosts, scripts = raw_html_findings(imp)
    imp.embeds |= hosts  # iframes the old site showed (a map, a video) keep working
    if existing_text is None:
        _write_or_stop(out, "site.toml", site_toml(imp, allow_scripts=bool(scripts)).encode("utf-8"))
    _pages_with_children_as_index(imp)
    for relpath, line, message in scripts:
        problems.append(Diagnostic(f"sites/{client}/content/{relpath}", None,
                                   f"{message} (body line {line + 1}): the old page ran it, so allow_scripts = true "
                                   "was set under [content]",
                                   "remove the script if the page works without it, then remove allow_scripts",
                                   "warning"))
    _write_pages(out, ws, imp, problems)
    _old_site_links(ws, out, client, imp, clock, problems)
    kept = _check_urls(ws, client, imp, clock, problems)
    problems = [_printable(d) for d in problems]
    text = report_text(imp.kind, client, problems, zone_note)
    report_path = _write_or_stop(out, REPORT_NAME, text.encode("utf-8"))
    cfg_zone = imp.timezone if existing_text is None else _existing_zone(existing_text)
    return ImportResult(client, imp.kind, len(imp.pages), files, kept, problems, ws.rel(report_path),
                        cfg_zone, zone_note)


def _existing_zone(text: str) -> str:
    m = re.search(r'(?m)^timezone\s*=\s*"([^"]*)"', text)
    return m.group(1) if m else "UTC"


def _printable(d: Diagnostic) -> Diagnostic:
    """A problem whose text holds lone surrogates (a YAML "\\ud800" escape, a file name that is
    not UTF-8) cannot be printed or written as UTF-8: those are shown as escapes."""
    def clean(text: str) -> str:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")

    if all(clean(t) == t for t in (d.path, d.message, d.fix)):
        return d
    return Diagnostic(clean(d.path), d.line, clean(d.message), clean(d.fix), d.severity)


def _write_or_stop(out: ClientFolder, rel: str, data: bytes) -> Path:
    """A file the client cannot do without (site.toml, the report): refused stops the import."""
    try:
        return out.write(rel, data)
    except Refused as exc:
        raise ProblemsError([Diagnostic(out.ws.rel(out.roots["sites"] / rel), None, f"{exc}; the import stopped",
                                        "replace the link by a real file or folder, or import into a new --client name")]) from None


# Files the build makes itself from the pages: the old site's copies would be stale (or,
# from Jekyll and Hugo, templates), so they are left out and the report says so.
GENERATED_FILES = {"feed.xml": "the news feed", "atom.xml": "the news feed", "sitemap.xml": "the sitemap"}


def _write_static(out: ClientFolder, client: str, imp: SiteImport, problems: list) -> int:
    written = 0
    for rel, data in sorted(imp.static.items()):
        made = GENERATED_FILES.get(rel.rsplit("/", 1)[-1].lower())
        if made is not None and (rel.count("/") == 0 or rel.split("/", 1)[0] in imp.languages):
            origin = str(imp.origins.get(rel) or rel)
            problems.append(Diagnostic(origin, None, f"/{rel} is not imported: the site makes {made} itself "
                                       "from its pages", "nothing to do (its address stays the same where "
                                       "the build writes it)", "warning"))
            continue
        try:
            out.write(f"static/{rel}", data if isinstance(data, bytes) else Path(str(data)).read_bytes())
            written += 1
        except Refused as exc:
            origin = str(imp.origins.get(rel) or f"sites/{client}/static")
            problems.append(Diagnostic(origin, None, f"{exc}: the file was not imported",
                                       "rename the file in the source to a plain name, then import again, or add it "
                                       "by hand", "warning"))
    return written


def _write_pages(out: ClientFolder, ws: Workspace, imp: SiteImport, problems: list) -> None:
    """Each page under content/; a page whose path is refused is reported and left out
    (so its old URLs are not counted as lost twice)."""
    seen: set[str] = set()
    kept = []
    for page in imp.pages:
        if page.relpath in seen:
            problems.append(Diagnostic(page.origin, None, f"two pages map to content/{page.relpath}; the second was left out",
                                       "import it by hand under another file name"))
            continue
        head = front_matter(page.meta)
        try:
            path = out.write(f"content/{page.relpath}", (head + page.body).encode("utf-8"))
        except (Refused, UnicodeEncodeError) as exc:
            why = "its front matter or text is not valid Unicode (a lone surrogate)" \
                if isinstance(exc, UnicodeEncodeError) else str(exc)
            problems.append(Diagnostic(page.origin, None, f"the page would be written at content/{page.relpath!r}: "
                                       f"{why}; not imported", "give it a plain permalink, slug or file name in the "
                                       "source, then import again, or add it by hand", "warning"))
            continue
        seen.add(page.relpath)
        kept.append(page)
        body_line = head.count("\n") + 1
        for line, kind, text in find_leftovers(page.body, body_line):
            problems.append(Diagnostic(ws.rel(path), line, f"{kind} {text!r} left in the text (from {page.origin})",
                                       "replace it with Markdown or HTML, or remove it", "warning"))
    imp.pages = kept


_BROKEN = re.compile(r"^broken internal link: (\S+) goes nowhere")


def _old_site_links(ws: Workspace, out: ClientFolder, client: str, imp: SiteImport, clock: Clock,
                    problems: list) -> None:
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
    prefix = f"sites/{client}/"
    for rel, found in fixes.items():
        inner = rel[len(prefix):]
        text = out.read_text(inner)
        if text is None:
            continue
        lines = text.split("\n")
        for line, target in sorted(found):
            old = lines[line - 1]
            lines[line - 1] = old.replace(f"]({target})", f"]({base}{target})").replace(
                f'href="{target}"', f'href="{base}{target}"')
            if lines[line - 1] != old:
                problems.append(Diagnostic(rel, line, f"the link {target} went to no page of the export: it now "
                                           f"points at the old site ({base}{target})",
                                           "link to a page of the new site, or remove the link", "warning"))
        out.write(inner, "\n".join(lines).encode("utf-8"))


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
