"""The theme before its outside judges: the Nu HTML Checker and Lighthouse.

Both demo clients are built with the CLI inside their promotion windows and served like a
static host on 127.0.0.1 (one server per client for the whole module), in the default style
(classic), and once more each in one of the other two styles (the bakery in photo, the dental
practice in minimal). Then:

- the Nu HTML Checker (vnu.jar, run with java) reads every page of both sites over HTTP,
  each language's 404 page and the stylesheet, and must report no error;
- Lighthouse (on Debian's chromium) scores accessibility, best practices and SEO of each
  demo's home, an inner page and the promotion page, on a phone (the default language) and
  on a desktop (English), and accessibility and best practices of a 404 page (its SEO is 0
  on purpose: a 404 says noindex); in the photo and the minimal style every page type (home,
  page, section, contact, promotion, 404), phones and desktops mixed. Every score must be 100.

The judges come from npm into tests/.node/ (bash scripts/setup.sh --test, which also
installs a Java runtime). Where they are missing the tests skip with the reason, except
on CI (CI is set), where a missing judge is a failure: there set-up has installed them.
Lighthouse runs three at a time: on two cores that takes about 15 s a batch, and these
categories do not depend on timing.
"""
from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import subprocess
import threading
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from helpers import need, sk

from fixtures_browser import CHROMIUM, _StaticHostHandler

REPO = Path(__file__).resolve().parent.parent
NODE_TOOLS = Path(__file__).resolve().parent / ".node" / "node_modules"
VNU_JAR = NODE_TOOLS / "vnu-jar" / "build" / "dist" / "vnu.jar"
LIGHTHOUSE = NODE_TOOLS / ".bin" / "lighthouse"

# Both promotions (Adventsaktion, Zimní úsměv) run from 2026-11-20 08:00 to 2027-01-07.
NOW = "2026-11-25T10:00:00+01:00"
BAKERY, DENTIST = "baeckerei-sonnenkorn", "zubni-ordinace-novakova"

# What each demo must have, so that a change of the demo content cannot quietly narrow
# what the Nu HTML Checker sees (it reads every page; these must be among them).
VNU_MUST_SEE = {
    BAKERY: ["/", "/en/", "/sortiment/", "/en/products/", "/promotions/adventsaktion/",
             "/en/promotions/adventsaktion/", "/aktuelles/stollen-vorbestellen/",
             "/en/aktuelles/stollen-preorder/", "/kontakt/", "/404.html", "/en/404.html"],
    DENTIST: ["/", "/en/", "/ceník/", "/en/prices/", "/akce/zimni-usmev/", "/en/promotions/zimni-usmev/",
              "/novinky/vanocni-provoz/", "/en/novinky/christmas-hours/", "/tym/", "/404.html", "/en/404.html"],
}

# The other two styles, one demo client each, on every page type (the demos are classic).
PHOTO, MINIMAL = f"{BAKERY}+photo", f"{DENTIST}+minimal"
SITES = {BAKERY: (BAKERY, "classic"), DENTIST: (DENTIST, "classic"), PHOTO: (BAKERY, "photo"),
         MINIMAL: (DENTIST, "minimal")}

CATEGORIES = ("accessibility", "best-practices", "seo")
# (client, path, form factor, categories)
LIGHTHOUSE_RUNS = [
    (BAKERY, "/", "mobile", CATEGORIES),
    (BAKERY, "/en/", "desktop", CATEGORIES),
    (BAKERY, "/sortiment/", "mobile", CATEGORIES),  # tables, a figure, a footnote
    (BAKERY, "/en/products/", "desktop", CATEGORIES),
    (BAKERY, "/promotions/adventsaktion/", "mobile", CATEGORIES),
    (BAKERY, "/en/promotions/adventsaktion/", "desktop", CATEGORIES),
    (BAKERY, "/404.html", "mobile", CATEGORIES[:2]),
    (DENTIST, "/", "mobile", CATEGORIES),
    (DENTIST, "/en/", "desktop", CATEGORIES),
    (DENTIST, "/ceník/", "mobile", CATEGORIES),  # a Unicode URL, a price table
    (DENTIST, "/en/team/", "desktop", CATEGORIES),
    (DENTIST, "/akce/zimni-usmev/", "mobile", CATEGORIES),
    (DENTIST, "/en/promotions/zimni-usmev/", "desktop", CATEGORIES),
    (DENTIST, "/en/404.html", "mobile", CATEGORIES[:2]),
    # home, page, section, contact, promotion and 404 in the photo and the minimal style
    (PHOTO, "/", "mobile", CATEGORIES),
    (PHOTO, "/en/", "desktop", CATEGORIES),
    (PHOTO, "/sortiment/", "desktop", CATEGORIES),
    (PHOTO, "/aktuelles/", "mobile", CATEGORIES),
    (PHOTO, "/kontakt/", "mobile", CATEGORIES),
    (PHOTO, "/promotions/adventsaktion/", "desktop", CATEGORIES),
    (PHOTO, "/404.html", "mobile", CATEGORIES[:2]),
    (MINIMAL, "/", "desktop", CATEGORIES),
    (MINIMAL, "/en/", "mobile", CATEGORIES),
    (MINIMAL, "/ceník/", "desktop", CATEGORIES),
    (MINIMAL, "/novinky/", "mobile", CATEGORIES),
    (MINIMAL, "/en/contact/", "desktop", CATEGORIES),
    (MINIMAL, "/akce/zimni-usmev/", "mobile", CATEGORIES),
    (MINIMAL, "/en/404.html", "desktop", CATEGORIES[:2]),
]
LIGHTHOUSE_AT_ONCE = 3

CHROME_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


# ------------------------------------------------------------------ the built demo sites


@pytest.fixture(scope="module")
def demo_sites(tmp_path_factory) -> dict[str, Path]:
    """Each of SITES built with `sitekeeper build CLIENT --out DIR` from a private copy, in its style."""
    built = {}
    for key, (client, style) in SITES.items():
        ws = tmp_path_factory.mktemp("judges-ws")
        for name in ("sites", "campaigns"):
            shutil.copytree(REPO / name, ws / name)
        toml = ws / "sites" / client / "site.toml"
        toml.write_text(toml.read_text(encoding="utf-8").replace("[theme]\n", f'[theme]\nstyle = "{style}"\n', 1),
                        encoding="utf-8")
        out = ws / "out" / client
        proc = sk("build", client, "--out", str(out), cwd=ws, now=NOW)
        assert proc.returncode == 0, f"build {key} failed:\n{proc.stdout}\n{proc.stderr}"
        built[key] = out
    return built


@pytest.fixture(scope="module")
def served(demo_sites) -> dict[str, str]:
    """Each built site on its own threaded static host: client -> http://127.0.0.1:PORT."""
    servers, bases = [], {}
    for client, folder in demo_sites.items():
        handler = functools.partial(_StaticHostHandler, directory=str(folder))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        bases[client] = f"http://127.0.0.1:{server.server_address[1]}"
    yield bases
    for server in servers:
        server.shutdown()
        server.server_close()


def page_paths(site: Path) -> list[str]:
    """Every page of a built site as a URL path, and each language's 404 page."""
    paths = []
    for index in sorted(site.rglob("index.html")):
        rel = index.parent.relative_to(site).as_posix()
        if not rel.startswith(".sitekeeper"):
            paths.append("/" if rel == "." else f"/{rel}/")
    paths += sorted("/" + p.relative_to(site).as_posix() for p in site.rglob("404.html"))
    return paths


def url(base: str, path: str) -> str:
    return base + urllib.parse.quote(path)


# ------------------------------------------------------------------ Nu HTML Checker


@pytest.fixture(scope="module")
def vnu() -> list[str]:
    java = shutil.which("java")
    if not java:
        need("no Java runtime for the Nu HTML Checker", "apt-get install default-jre-headless")
    if not VNU_JAR.is_file():
        need(f"the Nu HTML Checker is not installed at {VNU_JAR}", "npm install vnu-jar into tests/.node")
    # Loopback addresses are refused unless allowed: the checker guards its web service
    # against reaching private hosts, and ours is on 127.0.0.1.
    return [java, "-Dnu.validator.servlet.allow-forbidden-hosts=true", "-jar", str(VNU_JAR)]


def vnu_messages(vnu: list[str], urls: list[str]) -> list[dict]:
    proc = subprocess.run([*vnu, "--format", "json", "--also-check-css", *urls],
                          capture_output=True, text=True, timeout=300)
    try:
        return json.loads(proc.stderr)["messages"]
    except (ValueError, KeyError):
        raise AssertionError(f"the Nu HTML Checker gave no report (exit {proc.returncode}):\n"
                             f"{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}") from None


def describe_vnu(message: dict) -> str:
    where = urllib.parse.unquote(message.get("url", "?"))
    line = message.get("lastLine")
    extract = (message.get("extract") or "").strip().replace("\n", " ")
    return (f"{where}:{line}: {message.get('type')}: {message['message']}"
            + (f"\n    {extract[:200]}" if extract else ""))


@pytest.mark.parametrize("client", list(SITES))
def test_every_page_and_the_stylesheet_pass_the_nu_html_checker(client, vnu, demo_sites, served):
    site, base = demo_sites[client], served[client]
    paths = page_paths(site)
    missing = [p for p in VNU_MUST_SEE[SITES[client][0]] if p not in paths]
    assert not missing, f"the demo no longer has {missing}; pick other pages of the same kind"
    stylesheets = sorted("/" + p.relative_to(site).as_posix() for p in (site / "assets").glob("*.css"))
    assert stylesheets, "no stylesheet under assets/"

    messages = vnu_messages(vnu, [url(base, p) for p in paths + stylesheets])
    # "error" is invalid markup or CSS; "non-document-error" is a page the checker could not fetch.
    errors = [m for m in messages if m.get("type") in ("error", "non-document-error")]
    assert errors == [], f"{len(errors)} Nu HTML Checker errors on {client}:\n" + "\n".join(map(describe_vnu, errors))


# ------------------------------------------------------------------ Lighthouse


@pytest.fixture(scope="module")
def lighthouse() -> list[str]:
    node = shutil.which("node")
    if not node:
        need("no node for Lighthouse", "apt-get install npm")
    if not LIGHTHOUSE.exists():
        need(f"Lighthouse is not installed at {LIGHTHOUSE}", "npm install lighthouse into tests/.node")
    if not Path(CHROMIUM).exists():
        need("Chromium is not installed at /usr/bin/chromium", "apt-get install chromium")
    return [str(LIGHTHOUSE)]


def run_lighthouse(lighthouse: list[str], page_url: str, form_factor: str, categories, folder: Path) -> dict:
    """One Lighthouse run in a fresh Chromium profile; its JSON report (lhr)."""
    folder.mkdir(parents=True)
    report = folder / "report.json"
    flags = [*CHROME_FLAGS, f"--user-data-dir={folder / 'profile'}"]
    args = [*lighthouse, page_url, f"--only-categories={','.join(categories)}", "--output=json",
            f"--output-path={report}", "--quiet", "--disable-full-page-screenshot",
            f"--chrome-flags={' '.join(flags)}"]
    if form_factor == "desktop":
        args.append("--preset=desktop")
    proc = subprocess.run(args, env={**os.environ, "CHROME_PATH": CHROMIUM},
                          capture_output=True, text=True, timeout=240)
    if proc.returncode != 0 or not report.is_file():
        return {"runtimeError": {"message": f"exit {proc.returncode}: {proc.stderr[-2000:]}"}}
    return json.loads(report.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def lighthouse_reports(lighthouse, served, tmp_path_factory) -> dict[tuple, dict]:
    """Every run of LIGHTHOUSE_RUNS, a few at a time: (client, path, form factor) -> lhr."""
    folder = tmp_path_factory.mktemp("lighthouse")

    def one(i_run):
        i, (client, path, form_factor, categories) = i_run
        lhr = run_lighthouse(lighthouse, url(served[client], path), form_factor, categories, folder / str(i))
        return (client, path, form_factor), lhr

    with ThreadPoolExecutor(LIGHTHOUSE_AT_ONCE) as pool:
        return dict(pool.map(one, enumerate(LIGHTHOUSE_RUNS)))


def failing_audits(lhr: dict, category: str) -> list[str]:
    """The weighted audits of a category that did not pass, with the elements they name."""
    lines = []
    for ref in lhr["categories"][category]["auditRefs"]:
        audit = lhr["audits"][ref["id"]]
        if ref.get("weight", 0) == 0 or audit.get("score") is None or audit["score"] >= 1:
            continue
        lines.append(f"  {audit['id']} (score {audit['score']}): {audit['title']}")
        for item in ((audit.get("details") or {}).get("items") or [])[:5]:
            node = item.get("node") or (item.get("source") if isinstance(item.get("source"), dict) else None)
            if node:
                detail = node.get("explanation") or node.get("snippet", "")
                lines.append(f"      {node.get('selector', '')}: {detail.strip()[:300]}")
            else:
                lines.append(f"      {json.dumps(item, ensure_ascii=False)[:300]}")
    return lines


@pytest.mark.parametrize(("client", "path", "form_factor", "categories"), LIGHTHOUSE_RUNS,
                         ids=[f"{c}{p}-{f}" for c, p, f, _ in LIGHTHOUSE_RUNS])
def test_lighthouse_scores_are_100(client, path, form_factor, categories, lighthouse_reports):
    lhr = lighthouse_reports[(client, path, form_factor)]
    assert "runtimeError" not in lhr, f"Lighthouse could not judge {client}{path}: {lhr['runtimeError']['message']}"
    scores = {cat: lhr["categories"][cat]["score"] for cat in categories}
    failures = []
    for cat, score in scores.items():
        if score != 1:
            failures.append(f"{cat}: {score if score is None else round(score * 100)}")
            failures += failing_audits(lhr, cat)
    assert not failures, f"Lighthouse on {client}{path} ({form_factor}):\n" + "\n".join(failures)
