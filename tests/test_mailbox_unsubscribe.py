"""Keyed unsubscribe tokens: made with the client's secret from the environment, carried by the
List-Unsubscribe mailto (on the wire of an SMTP server) and by unsubscribe_url; a request whose
token does not match its address changes nothing in a real Dovecot pull and is reported."""
from __future__ import annotations

from urllib.parse import unquote

from helpers import edit, json_lines, sk
from test_send import SPEC, approve, send, site_toml, use_smtp, write_audience
from test_suppressions_pull import AT, BAKERY, configure, env_for, reply, rows

from sitekeeper.mail.tokens import make_token, token_address, verify

KEY = {"BAKERY_UNSUB_KEY": "4f1c0d2e9a7b66e1c3d5f8a9b0c1d2e3"}


def test_a_keyed_token_verifies_only_for_its_address_and_key():
    token = make_token("Anna@Example.org", b"secret")
    assert token_address(token) == "anna@example.org"
    assert verify(token, "anna@example.org", b"secret")
    assert not verify(token, "anna@example.org", b"other secret")
    assert not verify(token, "bert@example.org", b"secret")
    forged = make_token("bert@example.org", None) + "." + token.split(".")[1]
    assert not verify(forged, "bert@example.org", b"secret")


def test_the_list_unsubscribe_mailto_and_url_carry_the_keyed_token_on_the_wire(demo_workspace, smtp_server):
    ws = demo_workspace
    edit(site_toml(ws), "[mail]\n", '[mail]\nunsubscribe_key_env = "BAKERY_UNSUB_KEY"\n'
         'unsubscribe_url = "https://baeckerei-sonnenkorn.example/unsubscribe?t={token}"\n')
    [address] = write_audience(ws, 1)
    use_smtp(ws, smtp_server.port)
    approve(ws)
    r = send(ws, SPEC, "--json", env=KEY)
    assert r.returncode == 0, r.stderr
    [m] = smtp_server.messages
    [line] = [x for x in m.data.split(b"\r\n\r\n", 1)[0].split(b"\r\n") if x.startswith(b"List-Unsubscribe:")]
    text = unquote(line.decode())
    token = make_token(address, KEY["BAKERY_UNSUB_KEY"].encode())
    assert f"?t={token}>" in text and f"subject=unsubscribe {address} {token}>" in text


def test_a_send_with_the_key_variable_unset_sends_nothing_and_names_it(demo_workspace, smtp_server):
    ws = demo_workspace
    edit(site_toml(ws), "[mail]\n", '[mail]\nunsubscribe_key_env = "BAKERY_UNSUB_KEY"\n')
    write_audience(ws, 2)
    use_smtp(ws, smtp_server.port)
    approve(ws)
    r = send(ws, SPEC)
    assert r.returncode == 1 and "BAKERY_UNSUB_KEY" in r.stderr and "Traceback" not in r.stderr
    assert smtp_server.messages == []


def test_check_warns_that_nothing_reads_what_unsubscribe_url_receives(demo_workspace):
    edit(site_toml(demo_workspace), "[mail]\n", '[mail]\nunsubscribe_url = "https://x.example/u?t={token}"\n')
    r = sk("check", BAKERY, cwd=demo_workspace, now=AT)
    assert "unsubscribe_url" in r.stdout + r.stderr and "nothing sitekeeper runs reads" in r.stdout + r.stderr


def test_a_forged_request_changes_nothing_and_is_reported_a_true_one_unsubscribes(demo_workspace, imap_account, aws_env):
    ws = demo_workspace
    edit(site_toml(ws), "[mail]\n", '[mail]\nunsubscribe_key_env = "BAKERY_UNSUB_KEY"\n')
    configure(ws, BAKERY, imap=imap_account.server.url())
    key = KEY["BAKERY_UNSUB_KEY"].encode()
    box = "abmelden@baeckerei-sonnenkorn.example"
    good = make_token("emily.harper@example.com", key)
    wrong = make_token("emily.harper@example.com", b"guessed")
    imap_account.append(reply("prankster@example.net", f"unsubscribe martina.krueger@example.com {wrong}", "x", to=box))
    imap_account.append(reply("prankster@example.net", "unsubscribe sophie.dubois@example.org", "x", to=box))
    imap_account.append(reply("someone@example.net", f"unsubscribe emily.harper@example.com {good}", "x", to=box))
    imap_account.append(reply("anna.mueller@example.org", "Newsletter", "Bitte melden Sie mich ab.\n"))
    r = sk("mailbox", "pull", BAKERY, "--json", cwd=ws, now=AT, env={**env_for(imap_account, aws_env), **KEY})
    assert r.returncode == 0, r.stderr + r.stdout
    assert set(rows(ws, BAKERY)) == {"emily.harper@example.com", "anna.mueller@example.org"}
    problems = [x for x in json_lines(r.stdout) if x.get("event") == "problem"]
    assert len([p for p in problems if "nothing changed" in p["message"]]) == 2
