"""`sitekeeper mailbox pull` (and its alias `suppressions pull`) against a real Dovecot on
127.0.0.1: one pass that tells each new message's kind and counts them in `by_kind`; and the
hook through which another module adds a kind."""
from __future__ import annotations

from helpers import json_lines, sk
from test_mailbox_bounces import DATA, _on_audience
from test_suppressions_pull import AT, BAKERY, configure, env_for, reply, rows


def _seed(account) -> None:
    account.append(reply("anna.mueller@example.org", "Newsletter", "Bitte melden Sie mich ab.\n"))
    account.append((DATA / "exim_01.txt").read_bytes())
    account.append((DATA / "arf_rfc5965.txt").read_bytes())
    account.append(reply("kunde@example.com", "Bestellung: Torte für Samstag", "Eine Sachertorte bitte.\n"))


def test_mailbox_pull_counts_each_message_by_kind_and_acts_on_it(demo_workspace, imap_account, aws_env):
    ws = demo_workspace
    _on_audience(ws, ["userx@its.example.nl", "user@example.com", "anna.mueller@example.org"])
    configure(ws, BAKERY, imap=imap_account.server.url())
    _seed(imap_account)
    r = sk("mailbox", "pull", BAKERY, "--json", cwd=ws, now=AT, env=env_for(imap_account, aws_env))
    assert r.returncode == 0, r.stderr + r.stdout
    result = json_lines(r.stdout)[-1]
    assert result["by_kind"] == {"unsubscribe": 1, "bounce": 1, "complaint": 1, "signup_request": 0,
                                 "signup_confirmed": 0, "approval": 0, "approval_declined": 0, "ignored": 1}
    assert set(rows(ws, BAKERY)) == {"userx@its.example.nl", "user@example.com", "anna.mueller@example.org"}
    # the next pass reads only what is new
    again = sk("mailbox", "pull", "--json", cwd=ws, now=AT, env=env_for(imap_account, aws_env))
    assert again.returncode == 0, again.stderr
    assert sum(json_lines(again.stdout)[-1]["by_kind"].values()) == 0


def test_suppressions_pull_is_the_same_command(demo_workspace, imap_account, aws_env):
    ws = demo_workspace
    configure(ws, BAKERY, imap=imap_account.server.url())
    _seed(imap_account)
    r = sk("suppressions", "pull", BAKERY, "--json", cwd=ws, now=AT, env=env_for(imap_account, aws_env))
    assert r.returncode == 0, r.stderr
    assert json_lines(r.stdout)[-1]["by_kind"]["unsubscribe"] == 1


def test_mailbox_pull_of_a_client_without_a_mailbox_says_what_to_configure(demo_workspace):
    r = sk("mailbox", "pull", BAKERY, cwd=demo_workspace, now=AT)
    assert r.returncode == 1 and "imap" in (r.stderr + r.stdout) and "Traceback" not in r.stderr


def test_a_registered_classifier_claims_its_messages_before_the_built_in_rules():
    from sitekeeper.suppressions import kinds
    from sitekeeper.suppressions.messages import Rules, classify

    def approval(message, _raw, _cfg):
        subject = str(message.get("Subject") or "")
        return kinds.Claim("approval", {"subject": subject}) if subject.startswith("Re: [approve]") else None

    before = list(kinds._REGISTRY)
    kinds.register("approval", approval)
    try:
        found = classify(reply("client@example.com", "Re: [approve] Adventsaktion", "OK, abmelden nicht.\n"),
                         Rules(("de", "en")))
        assert found.handled and found.claim.kind == "approval" and kinds.kind_of(found) == "approval"
        other = classify(reply("x@example.com", "Abmelden", "Bitte abmelden.\n"), Rules(("de", "en")))
        assert kinds.kind_of(other) == "unsubscribe"
    finally:
        kinds._REGISTRY[:] = before


def test_an_unknown_kind_cannot_be_registered():
    import pytest

    from sitekeeper.suppressions import kinds

    with pytest.raises(ValueError):
        kinds.register("newsletter", lambda *a: None)
