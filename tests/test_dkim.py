"""DKIM signatures (RSA-SHA256 and Ed25519-SHA256), checked on the wire with dkimpy's verifier."""
from __future__ import annotations

import base64


from helpers import edit, need_module
from cryptography.hazmat.primitives import serialization as ser
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from test_send import SPEC, approve, send, site_toml, use_smtp

from sitekeeper.mail.dkim import DkimSigner

DOMAIN = b"baeckerei-sonnenkorn.example"


def _pem(key) -> bytes:
    return key.private_bytes(ser.Encoding.PEM, ser.PrivateFormat.PKCS8, ser.NoEncryption())


def _keys():
    rk = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ek = ed25519.Ed25519PrivateKey.generate()
    records = {
        b"sk1._domainkey." + DOMAIN + b".": b"v=DKIM1; k=rsa; p=" + base64.b64encode(
            rk.public_key().public_bytes(ser.Encoding.DER, ser.PublicFormat.SubjectPublicKeyInfo)),
        b"ed1._domainkey." + DOMAIN + b".": b"v=DKIM1; k=ed25519; p=" + base64.b64encode(
            ek.public_key().public_bytes(ser.Encoding.Raw, ser.PublicFormat.Raw)),
    }
    return rk, ek, records


def test_rsa_and_ed25519_signatures_both_verify_with_dkimpy_on_the_wire(demo_workspace, smtp_server, tmp_path):
    dkim = need_module("dkim", "pip install dkimpy, or bash scripts/setup.sh --test")
    rk, ek, records = _keys()
    key = tmp_path / "dkim.pem"
    key.write_bytes(_pem(rk) + _pem(ek))
    use_smtp(demo_workspace, smtp_server.port,
             f'dkim_selector = "sk1"\ndkim_ed25519_selector = "ed1"\ndkim_key_file = "{key}"\n')
    approve(demo_workspace)
    r = send(demo_workspace, SPEC)
    assert r.returncode == 0, r.stderr
    assert len(smtp_server.messages) >= 2

    def dns(name, timeout=5):
        return records.get(name)

    for received in smtp_server.messages:
        raw = received.data.replace(b"\n", b"\r\n").replace(b"\r\r\n", b"\r\n")
        assert raw.count(b"DKIM-Signature:") == 2
        d = dkim.DKIM(raw)
        assert d.verify(idx=0, dnsfunc=dns), "ed25519 signature"
        assert d.verify(idx=1, dnsfunc=dns), "rsa signature"
        assert b"a=ed25519-sha256" in raw.split(b"DKIM-Signature:")[1]
        assert b"list-unsubscribe" in raw.split(b"\r\n\r\n")[0].lower().split(b"h=")[1]
        assert not dkim.verify(raw.replace(b"Subject:", b"Subject: X", 1), dnsfunc=dns)


def test_a_body_without_merge_fields_is_hashed_once():
    rk, _, records = _keys()
    signer = DkimSigner("sk1", DOMAIN.decode(), _pem(rk))
    body = b"Hallo  alle \r\n\r\nStollen ist da.\r\n\r\n"
    for i in range(5):
        signer.sign(b"From: a@%s\r\nTo: r%d@example.net\r\nSubject: x\r\n\r\n" % (DOMAIN, i) + body)
    assert list(signer._bodies) == [body]
    signer.sign(b"From: a@x\r\nTo: b@example.net\r\n\r\nanother body\r\n")
    assert len(signer._bodies) == 2


def test_a_key_that_is_not_pem_stops_the_send_before_anything_goes_out(demo_workspace, smtp_server, tmp_path):
    key = tmp_path / "dkim.pem"
    key.write_text("not a key\n")
    use_smtp(demo_workspace, smtp_server.port, f'dkim_selector = "sk1"\ndkim_key_file = "{key}"\n')
    approve(demo_workspace)
    r = send(demo_workspace, SPEC)
    assert r.returncode == 1, r.stderr
    assert "site.toml" in r.stderr and "PEM" in r.stderr and "Traceback" not in r.stderr
    assert smtp_server.messages == []


def test_a_bad_ed25519_selector_is_refused_at_its_line(demo_workspace, tmp_path):
    edit(site_toml(demo_workspace), "[mail]\n", '[mail]\ndkim_selector = "sk1"\ndkim_ed25519_selector = "bad sel"\n'
         f'dkim_key_file = "{tmp_path / "k.pem"}"\n')
    from helpers import sk
    r = sk("check", cwd=demo_workspace)
    assert r.returncode == 1 and "dkim_ed25519_selector" in r.stderr


def test_relaxed_body_canonicalisation_follows_rfc_6376():
    from sitekeeper.mail.dkim import canonical_body

    assert canonical_body(b" C \r\nD \t E\r\n\r\n\r\n") == b" C\r\nD E\r\n"
    assert canonical_body(b"a\t\t \r\n \r\nb  \t\r\n") == b"a\r\n\r\nb\r\n"
    assert canonical_body(b"\r\n\r\n") == b""
    assert canonical_body(b"x") == b"x\r\n"
