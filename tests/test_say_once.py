"""Say each thing once: the promotion page's top says the offer and the date once each and has
its button beside them; the email says them once each above the fold (before its first
picture); `check` warns when a banner or preheader names a date that is not the window's last
day, reading dates in the campaign's language (numeric and month-name forms)."""
from __future__ import annotations

import html as _html
import json
import re
import shutil
from datetime import date
from pathlib import Path

import pytest

from helpers import sk
from sitekeeper.locale.datetext import find_dates, without_date

REPO = Path(__file__).resolve().parent.parent
NOW = "2026-12-01T10:00:00+01:00"
LAST = date(2027, 1, 6)
DEMOS = {  # campaign -> (languages and their page folders, the offer's words)
    "baeckerei-sonnenkorn/adventsaktion": ({"de": "promotions/adventsaktion", "en": "en/promotions/adventsaktion"},
                                           {"de": "auf alle Stollen", "en": "off all stollen"}),
    "zubni-ordinace-novakova/zimni-usmev": ({"cs": "akce/zimni-usmev", "en": "en/promotions/zimni-usmev"},
                                            {"cs": "bělení o 20", "en": "off dental hygiene"}),
}


def _text(fragment: str) -> str:
    text = _html.unescape(re.sub(r"<[^>]+>", " ", fragment))
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").replace("\u2009", " ").split())


def _dates(text: str, lang: str) -> int:
    return sum(1 for f in find_dates(text, lang) if f.matches(LAST))


@pytest.fixture(scope="module")
def sites(tmp_path_factory) -> dict[str, Path]:
    out = {}
    for spec in DEMOS:
        client = spec.split("/")[0]
        folder = tmp_path_factory.mktemp(client)
        r = sk("build", client, "--out", str(folder), cwd=REPO, now=NOW)
        assert r.returncode == 0, r.stderr
        out[client] = folder
    return out


@pytest.mark.parametrize("spec", DEMOS)
def test_the_promotion_pages_top_says_offer_and_date_once_with_its_button(sites, spec):
    client = spec.split("/")[0]
    pages, offers = DEMOS[spec]
    for lang, folder in pages.items():
        html = (sites[client] / folder / "index.html").read_text()
        top = html[html.index('<header class="landing">'):html.index("</header>", html.index('<header class="landing">'))]
        text = _text(top)
        assert text.count(offers[lang]) == 1, f"{spec} {lang}: {text}"
        assert _dates(text, lang) == 1, f"{spec} {lang}: the date {_dates(text, lang)} times in {text!r}"
        button = re.search(r'<p class="landing__cta"><a class="button[^"]*" href="([^"]+)">', top)
        assert button, f"{spec} {lang}: no button at the top"
        # the same link as the body's own call to action, said at the top as well
        assert f'href="{button.group(1)}" class="button"' in html or f'href="{button.group(1)}"' in html


@pytest.fixture(scope="module")
def previews(tmp_path_factory) -> dict[str, Path]:
    out = {}
    for spec in DEMOS:
        folder = tmp_path_factory.mktemp(spec.replace("/", "--"))
        r = sk("campaign", "preview", spec, "--out", str(folder), "--json", "--no-proof", cwd=REPO, now=NOW)
        assert r.returncode == 0, r.stderr
        assert json.loads(r.stdout.splitlines()[-1])["languages"]
        out[spec] = folder
    return out


def _above_the_fold(html: str) -> str:
    """The email's visible text before its first picture after the header (the preview text is hidden)."""
    body = html[html.index("<body"):]
    body = re.sub(r'<div style="display:none[^"]*"[^>]*>.*?</div>', " ", body, flags=re.S)
    images = [m.start() for m in re.finditer(r"<img\b", body)]
    # the first <img> is the logo in the header band; the fold is at the body's first picture
    cut = images[1] if len(images) > 1 else len(body)
    return _text(body[:cut])


@pytest.mark.parametrize("spec", DEMOS)
def test_the_email_says_offer_and_date_once_above_the_fold(previews, spec):
    pages, offers = DEMOS[spec]
    for lang in pages:
        html = (previews[spec] / f"{lang}.html").read_text()
        top = _above_the_fold(html)
        assert top.count(offers[lang]) == 1, f"{spec} {lang}: {top!r}"
        assert _dates(top, lang) == 1, f"{spec} {lang}: the date {_dates(top, lang)} times in {top!r}"
        plain = (previews[spec] / f"{lang}.txt").read_text()
        head = plain.split("[", 1)[0]  # the text part up to its first picture's alt text
        head = " ".join(head.replace("\u00a0", " ").replace("\u202f", " ").split())
        assert head.count(offers[lang]) == 1 and _dates(head, lang) == 1, head


@pytest.mark.parametrize("lang,text,found", [
    ("de", "Adventsaktion: 10 % auf alle Stollen – bis 6. Januar", [(6, 1, None)]),
    ("de", "Nur bis 06.01.2027 – jetzt vorbestellen", [(6, 1, 2027)]),
    ("de", "vom 24.12. bis 5. Jan.", [(24, 12, None), (5, 1, None)]),
    ("cs", "bělení o 20 % levněji – do 6. ledna", [(6, 1, None)]),
    ("cs", "Do 6. 1. 2027 – objednejte se", [(6, 1, 2027)]),
    ("cs", "akce platí do 5. leden", [(5, 1, None)]),
    ("en", "20% off until January 6th, 2027", [(6, 1, 2027)]),
    ("en", "Only until 6 Jan", [(6, 1, None)]),
    ("en", "Ends 2027-01-05", [(5, 1, 2027)]),
    ("en", "open 24/7, 1000 g for 23,00 €", []),
    ("en-US", "until 1/5/2027", [(5, 1, 2027)]),
])
def test_dates_are_read_in_the_texts_language(lang, text, found):
    assert [(f.day, f.month, f.year) for f in find_dates(text, lang)] == found


@pytest.mark.parametrize("lang,text,expected", [
    ("de", "10 % auf alle Stollen und Plätzchen – bis 6. Januar", "10 % auf alle Stollen und Plätzchen"),
    ("cs", "Dentální hygiena a bělení o 20 % levněji – do 6. ledna", "Dentální hygiena a bělení o 20 % levněji"),
    ("en", "10% off all stollen – until 6 January", "10% off all stollen"),
    ("en", "Until 6 January: 10% off", "Until 6 January: 10% off"),  # not at the end: kept
    ("de", "10 % auf alles – bis 5. Januar", "10 % auf alles – bis 5. Januar"),  # another day: kept
])
def test_the_offer_loses_only_its_closing_last_day(lang, text, expected):
    assert without_date(text, LAST, lang) == expected


def _workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    for name in ("sites", "campaigns"):
        shutil.copytree(REPO / name, ws / name)
    return ws


def _set(path: Path, key: str, value: str) -> None:
    text = path.read_text(encoding="utf-8")
    text = re.sub(rf"^{key}: .*$", f'{key}: "{value}"', text, count=1, flags=re.M)
    path.write_text(text, encoding="utf-8")


def test_check_warns_when_a_banner_or_preheader_names_another_day(tmp_path):
    ws = _workspace(tmp_path)
    bakery = ws / "campaigns/baeckerei-sonnenkorn"
    dental = ws / "campaigns/zubni-ordinace-novakova"
    _set(bakery / "adventsaktion.md", "banner", "Adventsaktion: 10 % auf alle Stollen – bis 5. Januar")
    _set(bakery / "adventsaktion.en.md", "preheader", "Only until 7/1/2027 – order now")
    _set(dental / "zimni-usmev.md", "preheader", "Do 5. 1. – objednejte se včas")
    _set(dental / "zimni-usmev.en.md", "banner", "Winter smile: 20% off – until January 5th")
    r = sk("check", "--json", cwd=ws, now=NOW)
    assert r.returncode == 0, r.stdout + r.stderr  # warnings do not fail the check
    problems = [p for p in map(json.loads, r.stdout.splitlines())
                if p.get("event") == "problem" and "last day" in p["message"]]
    where = sorted((p["path"].rsplit("/", 1)[-1], p["message"].split(" names ")[0]) for p in problems)
    assert where == [("adventsaktion.en.md", "the preheader"), ("adventsaktion.md", "the banner"),
                     ("zimni-usmev.en.md", "the banner"), ("zimni-usmev.md", "the preheader")], problems
    assert all(p["severity"] == "warning" and p["line"] > 1 for p in problems)
    first = next(p for p in problems if p["path"].endswith("adventsaktion.md"))
    assert "'5. Januar'" in first["message"] and "6. Januar 2027" in first["message"]
    strict = sk("check", "--strict", cwd=ws, now=NOW)
    assert strict.returncode == 1


def test_check_is_quiet_when_the_dates_are_the_last_day(tmp_path):
    ws = _workspace(tmp_path)
    _set(ws / "campaigns/baeckerei-sonnenkorn/adventsaktion.md", "preheader", "Nur bis 06.01.2027 – vom 20.11. an")
    r = sk("check", "--json", cwd=ws, now=NOW)
    assert r.returncode == 0
    assert "last day" not in r.stdout


def test_a_short_body_does_not_repeat_the_button_at_the_top():
    from sitekeeper.render.landing import drop_near_button

    button = '<p class="cta"><a href="/kontakt/" class="button">Termin</a></p>'
    short = "<p>Gönnen Sie Ihrem Haar eine Kur.</p>" + button
    assert drop_near_button(short) == "<p>Gönnen Sie Ihrem Haar eine Kur.</p>"
    long = "<p>" + "Viel Text über das Angebot. " * 20 + "</p>" + button
    assert drop_near_button(long) == long
