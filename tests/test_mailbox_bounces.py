"""Bounces in the dialects of the common mail servers and ARF complaints, read from real bounce
texts (tests/data/bounces/README.md says where each comes from): first the classifier alone,
then a pull from a real Dovecot mailbox that suppresses what is permanent and only counts the rest."""
from __future__ import annotations

from pathlib import Path

import pytest

from helpers import json_lines, sk
from test_suppressions_pull import AT, BAKERY, configure, env_for, reply, rows

from sitekeeper.suppressions.messages import Rules, classify

DATA = Path(__file__).parent / "data" / "bounces"
RULES = Rules(("de", "en"))

PERMANENT = [
    ("dsn_01.txt", {"userx@example.com"}),
    ("exim_01.txt", {"userx@its.example.nl"}),
    ("postfix_01.txt", {"xxxxx@local.ie"}),
    ("postfix_05.txt", {"userx@example.net"}),
    ("sendmail_01.txt", {"zzzzz@shaft.coal.nl", "zzzzz@nfg.nl"}),
    ("qmail_01.txt", {"userx@example.de"}),
    ("qmail_07.txt", {"user@example.net"}),
    ("simple_17.txt", {"userx@example.com"}),  # Google
    ("microsoft_01.txt", {"userx@example.com"}),
    ("microsoft_04.txt", {"userx@example.com"}),
    ("yahoo_01.txt", {"userx@example.com"}),
    ("yahoo_12.txt", {"user@yahoo.com"}),  # HTML
    ("groupwise_01.txt", {"userx@example.edu"}),
]
TEMPORARY = [("simple_28.txt", {"userx@example.com"}), ("simple_03.txt", {"userx@example.za"})]


@pytest.mark.parametrize("name,addresses", PERMANENT)
def test_a_permanent_failure_in_each_dialect_is_a_bounce_of_the_right_address(name, addresses):
    found = classify((DATA / name).read_bytes(), RULES)
    assert found.handled
    assert {e.address for e in found.events if e.kind == "bounce"} == addresses
    assert not [e for e in found.events if e.kind != "bounce"]


@pytest.mark.parametrize("name,addresses", TEMPORARY)
def test_a_delay_warning_is_a_temporary_failure_only(name, addresses):
    found = classify((DATA / name).read_bytes(), RULES)
    assert {e.address for e in found.events} == addresses
    assert {e.kind for e in found.events} == {"temporary"}


def test_the_status_code_is_taken_from_the_bounce_text():
    [e] = classify((DATA / "exim_01.txt").read_bytes(), RULES).events
    assert e.detail == "5.1.1"


def test_a_delayed_rfc_3464_report_suppresses_nobody():
    found = classify((DATA / "dsn_06.txt").read_bytes(), RULES)
    assert found.handled and found.events == []


def test_an_arf_report_is_a_complaint_of_the_original_recipient():
    [e] = classify((DATA / "arf_rfc5965.txt").read_bytes(), RULES).events
    assert (e.kind, e.address, e.detail) == ("complaint", "user@example.com", "abuse")


def test_a_persons_letter_quoting_a_failure_is_not_a_bounce():
    raw = reply("kunde@example.com", "Frage zur Bestellung",
                "Meine Mail an userx@example.com kam zurück: 550 5.1.1 user unknown. Was tun?\n")
    assert [e for e in classify(raw, RULES).events if e.kind == "bounce"] == []


def _on_audience(ws: Path, addresses: list[str]) -> None:
    with open(ws / "campaigns" / BAKERY / "audience.csv", "a", encoding="utf-8") as f:
        f.writelines(f"{a},Reader,de,,2025-01-01,test\n" for a in addresses)


def test_pull_suppresses_every_dialects_permanent_failure_and_the_complaint_and_counts_the_delay(
        demo_workspace, imap_account, aws_env):
    ws = demo_workspace
    files = ["exim_01.txt", "simple_17.txt", "microsoft_04.txt", "yahoo_12.txt", "qmail_01.txt",
             "sendmail_01.txt", "simple_28.txt", "arf_rfc5965.txt"]
    _on_audience(ws, ["userx@its.example.nl", "userx@example.com", "user@yahoo.com", "userx@example.de",
                      "zzzzz@nfg.nl", "zzzzz@shaft.coal.nl", "user@example.com"])
    configure(ws, BAKERY, imap=imap_account.server.url())
    for name in files:
        imap_account.append((DATA / name).read_bytes())
    r = sk("suppressions", "pull", BAKERY, "--json", cwd=ws, now=AT, env=env_for(imap_account, aws_env))
    assert r.returncode == 0, r.stderr + r.stdout
    got = rows(ws, BAKERY)
    assert {a: row["reason"].split()[0] for a, row in got.items()} == {
        "userx@its.example.nl": "bounce", "userx@example.com": "bounce", "user@yahoo.com": "bounce",
        "userx@example.de": "bounce", "zzzzz@nfg.nl": "bounce", "zzzzz@shaft.coal.nl": "bounce",
        "user@example.com": "complaint"}
    assert got["userx@its.example.nl"]["reason"] == "bounce 5.1.1"
    assert got["user@example.com"]["reason"] == "complaint abuse"
    assert all(row["source"] == "imap:INBOX" for row in got.values())
    result = json_lines(r.stdout)[-1]
    assert result["by_reason"]["bounce"] == 6 and result["by_reason"]["complaint"] == 1
