"""Say each thing once, and say what is known: a site without [business] shows the postal
address and reply address of [mail]; the contact page shows the opening hours once, in one
format, with closed days as a short list of runs ("25.–26. Dez."), and its footer does not
repeat the contact block above it."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from helpers import sk
from sitekeeper.locale.dates import day_runs

NOW = "2026-12-01T10:00:00+01:00"


@pytest.fixture(scope="module")
def demos(tmp_path_factory) -> dict[str, Path]:
    repo = Path(__file__).resolve().parent.parent
    out = {}
    for client in ("baeckerei-sonnenkorn", "zubni-ordinace-novakova"):
        folder = tmp_path_factory.mktemp(client)
        r = sk("build", client, "--out", str(folder), cwd=repo, now=NOW)
        assert r.returncode == 0, r.stderr
        out[client] = folder
    return out


@pytest.fixture(scope="module")
def plain(tmp_path_factory) -> Path:
    """A client as `new client` leaves it, without [business]: only [mail] knows the address."""
    ws = tmp_path_factory.mktemp("plain")
    site = ws / "sites" / "salon-lena"
    (site / "content").mkdir(parents=True)
    (site / "site.toml").write_text(
        'name = "Friseursalon Lena"\nbase_url = "https://salon-lena.example"\nlanguages = ["de"]\n'
        'timezone = "Europe/Berlin"\n\n[mail]\nfrom = "Friseursalon Lena <news@salon-lena.example>"\n'
        'reply_to = "Lena Kraus <termine@salon-lena.example>"\n'
        'postal_address = "Friseursalon Lena, Kastanienallee 12, 10435 Berlin"\n'
        'unsubscribe_mailto = "ab@salon-lena.example"\n', encoding="utf-8")
    (site / "content" / "index.md").write_text("---\ntitle: Start\n---\nWillkommen.\n", encoding="utf-8")
    (site / "content" / "leistungen.md").write_text("---\ntitle: Leistungen\nmenu: 1\n---\nSchneiden.\n",
                                                    encoding="utf-8")
    (site / "content" / "kontakt.md").write_text("---\ntitle: Kontakt\ntemplate: contact.html\nmenu: 2\n---\n"
                                                 "Rufen Sie an.\n", encoding="utf-8")
    r = sk("build", "salon-lena", "--out", str(ws / "out"), cwd=ws, now=NOW)
    assert r.returncode == 0, r.stderr
    return ws / "out"


def _plain(text: str) -> str:
    """CLDR's thin and no-break spaces as spaces, tags off."""
    return re.sub(r"<[^>]+>", "", text).replace("\u2009", " ").replace("\xa0", " ")


def _footer(html: str) -> str:
    return html[html.index('<footer class="site-footer">'):]


def _main(html: str) -> str:
    return html[html.index("<main"):html.index('<footer class="site-footer">')]


def test_a_site_without_business_shows_the_mail_address_and_reply_address(plain):
    # a page of its own: the home page and the contact page show the details in their first screen
    # and contact block instead of the footer
    footer = _footer((plain / "leistungen" / "index.html").read_text())
    assert "Kastanienallee 12<br>10435 Berlin" in footer
    assert 'href="mailto:termine@salon-lena.example"' in footer
    # the name line of the postal address is the footer's own heading already
    assert "Friseursalon Lena<br>" not in footer
    home = (plain / "index.html").read_text()
    assert _plain(home[home.index("<body"):]).count("Kastanienallee 12") == 1
    contact = (plain / "kontakt" / "index.html").read_text()
    assert "Kastanienallee 12" in _main(contact) and "termine@salon-lena.example" in _main(contact)
    assert "Kastanienallee 12" not in _footer(contact)  # once, in the page's own block


def test_the_contact_page_shows_the_hours_once(demos):
    for client, folder, page in (("baeckerei-sonnenkorn", "kontakt", "06:30–18:30"),
                                 ("zubni-ordinace-novakova", "kontakt", "08:00–18:00")):
        html = (demos[client] / folder / "index.html").read_text()
        body = html[html.index("<body"):]
        assert body.count(page) == 1, f"{client}: the hours {page} shown {body.count(page)} times"
        assert body.count('class="hours"') == 1
        # no second, written-out form of the same hours (a table of weekdays in the text)
        assert not re.search(r"<td>(Montag|Pondělí|Monday)</td>", body)
        # the home page's contact block is not repeated by the footer below it; other pages' footers show it
        home = (demos[client] / "index.html").read_text()
        assert home.count(page) == 1
        other = next(p for p in demos[client].glob("*/index.html") if "contact" not in p.parent.name
                     and "kontakt" not in p.parent.name and p.parent.name not in ("en",))
        assert _footer(other.read_text()).count(page) == 1


def test_closed_days_are_a_short_list_of_runs(demos):
    bakery = (demos["baeckerei-sonnenkorn"] / "kontakt" / "index.html").read_text()
    closed = re.search(r'<p class="business__closed">(.*?)</p>', bakery).group(1)
    text = _plain(closed)
    assert text == "Geschlossen am: 25.–26. Dez., 1. Jan.", text
    assert "Dezember" not in text and "2026" not in text
    dental_en = (demos["zubni-ordinace-novakova"] / "en" / "contact" / "index.html").read_text()
    text = _plain(re.search(r'<p class="business__closed">(.*?)</p>', dental_en).group(1))
    assert text.endswith("24 – 26 Dec, 31 Dec – 1 Jan"), text


@pytest.mark.parametrize("lang,expected", [
    ("de", ["24.–26. Dez.", "31. Dez. – 1. Jan.", "6. Jan."]),
    ("cs", ["24.–26. 12.", "31. 12. – 1. 1.", "6. 1."]),
    ("en", ["24 – 26 Dec", "31 Dec – 1 Jan", "6 Jan"]),
])
def test_runs_of_consecutive_days_collapse_in_the_pages_language(lang, expected):
    from datetime import date

    days = [date(2026, 12, 26), date(2026, 12, 24), date(2026, 12, 25), date(2027, 1, 1), date(2026, 12, 31),
            date(2027, 1, 6)]
    assert [_plain(text) for _, _, text in day_runs(days, lang)] == expected
