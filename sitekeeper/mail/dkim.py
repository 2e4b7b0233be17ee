"""DKIM signing (RFC 6376), with RSA-SHA256 and Ed25519-SHA256 (RFC 8463) from ``cryptography``.

The private key comes from the variable named by ``dkim_key_env`` or from ``dkim_key_file``,
a path outside the workspace (no secret is ever read from a workspace file). The PEM may hold
one RSA key, one Ed25519 key, or both (an RSA key then an Ed25519 key): with both, every
message carries two signatures, Ed25519 first, both under the same selector unless
``dkim_ed25519_selector`` names another (RFC 8463 asks senders to keep RSA beside Ed25519,
since many receivers verify only RSA). The signature covers the headers a provider checks,
List-Unsubscribe and List-Unsubscribe-Post included (Gmail and Yahoo require them signed for
one-click unsubscribe).

Canonicalisation is relaxed/relaxed. The signing is done here rather than with dkimpy, which
signs RSA in pure Python (about 18 ms per message); dkimpy still verifies every signature in
the tests. The body hash is kept for the last few bodies, so a campaign whose body has no
merge fields hashes each language's body once.
"""
from __future__ import annotations

import base64
import hashlib
import os
import re
import time
from email.utils import parseaddr
from pathlib import Path

from ..errors import MailError

SIGNED = (b"from", b"reply-to", b"to", b"subject", b"date", b"message-id", b"list-id", b"list-unsubscribe",
          b"list-unsubscribe-post", b"mime-version", b"content-type")
_WSP = re.compile(rb"[ \t]+")
_PEM = re.compile(rb"-----BEGIN [A-Z ]*PRIVATE KEY-----.+?-----END [A-Z ]*PRIVATE KEY-----", re.S)
_BODY_CACHE = 8


def canonical_body(body: bytes) -> bytes:
    """Relaxed body canonicalisation (RFC 6376 3.4.4). Done with bytes.replace, which runs in C
    (the same two rules as regular expressions cost ten times more on a 20 KB body)."""
    body = body.replace(b"\t", b" ")
    while b"  " in body:
        body = body.replace(b"  ", b" ")
    while b" \r\n" in body:
        body = body.replace(b" \r\n", b"\r\n")
    body = body.rstrip(b"\r\n")
    return body + b"\r\n" if body else b""


def canonical_header(name: bytes, value: bytes) -> bytes:
    """Relaxed header canonicalisation (RFC 6376 3.4.2), without the closing CRLF."""
    value = _WSP.sub(b" ", value.replace(b"\r\n", b"")).strip(b" ")
    return name.strip().lower() + b":" + value


def split_headers(head: bytes) -> list[tuple[bytes, bytes]]:
    """(name, raw value) for each header field, folded lines joined with their CRLF."""
    fields: list[list[bytes]] = []
    for line in head.split(b"\r\n"):
        if line[:1] in (b" ", b"\t") and fields:
            fields[-1][1] += b"\r\n" + line
        elif line:
            name, _, value = line.partition(b":")
            fields.append([name, value])
    return [(n, v) for n, v in fields]


class _Key:
    def __init__(self, selector: bytes, algorithm: bytes, sign):
        self.selector, self.algorithm, self.sign = selector, algorithm, sign


def load_keys(pem: bytes, selector: str, ed25519_selector: str | None = None) -> list[_Key]:
    """The signing keys in ``pem`` (Ed25519 first); MailError for anything else."""
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

    blocks = _PEM.findall(pem)
    if not blocks:
        raise MailError("DKIM: the private key is not a PEM private key",
                        "give a PEM file that starts with -----BEGIN PRIVATE KEY----- (openssl genrsa 2048, "
                        "or openssl genpkey -algorithm ed25519)")
    keys: list[_Key] = []
    for block in blocks:
        try:
            key = serialization.load_pem_private_key(block, password=None)
        except (ValueError, TypeError) as exc:
            raise MailError(f"DKIM: the private key cannot be read: {exc}",
                            "give an unencrypted PEM key (RSA of 2048 bits or more, or Ed25519)") from exc
        if isinstance(key, rsa.RSAPrivateKey):
            if key.key_size < 1024:
                raise MailError(f"DKIM: the RSA key has {key.key_size} bits; receivers refuse keys under 1024",
                                "make a new key: openssl genrsa -out dkim.pem 2048")
            keys.append(_Key(selector.encode(), b"rsa-sha256",
                             lambda data, k=key: k.sign(data, padding.PKCS1v15(), hashes.SHA256())))
        elif isinstance(key, ed25519.Ed25519PrivateKey):
            # RFC 8463: the Ed25519 signature is over the SHA-256 of the header data
            keys.insert(0, _Key((ed25519_selector or selector).encode(), b"ed25519-sha256",
                                lambda data, k=key: k.sign(hashlib.sha256(data).digest())))
        else:
            raise MailError(f"DKIM: a {type(key).__name__} key cannot sign DKIM", "use an RSA or an Ed25519 key")
    return keys


class DkimSigner:
    def __init__(self, selector: str, domain: str, key: bytes, ed25519_selector: str | None = None):
        self.domain = domain.encode()
        self.keys = load_keys(key, selector, ed25519_selector)
        self._bodies: dict[bytes, bytes] = {}

    def body_hash(self, body: bytes) -> bytes:
        bh = self._bodies.get(body)
        if bh is None:
            bh = base64.b64encode(hashlib.sha256(canonical_body(body)).digest())
            if len(self._bodies) >= _BODY_CACHE:
                self._bodies.pop(next(iter(self._bodies)))
            self._bodies[body] = bh
        return bh

    def sign(self, data: bytes) -> bytes:
        head, sep, body = data.partition(b"\r\n\r\n")
        if not sep:
            raise MailError("DKIM signing failed: the message has no body separator", "report this as a bug")
        fields = split_headers(head)
        bh = self.body_hash(body)
        # one instance of each signed header, the last one (RFC 6376 5.4.2)
        present = {}
        for name, value in fields:
            present[name.strip().lower()] = (name, value)
        names = [n for n in SIGNED if n in present]
        signed = b"".join(canonical_header(*present[n]) + b"\r\n" for n in names)
        t = str(int(time.time())).encode()
        out = []
        for key in self.keys:
            value = (b" v=1; a=" + key.algorithm + b"; c=relaxed/relaxed; d=" + self.domain + b"; s=" + key.selector
                     + b";\r\n\tt=" + t + b"; h=" + b":".join(names) + b";\r\n\tbh=" + bh + b";\r\n\tb=")
            try:
                sig = key.sign(signed + canonical_header(b"DKIM-Signature", value))
            except Exception as exc:  # cryptography raises its own errors for a broken key
                raise MailError(f"DKIM signing failed: {exc}", "check the private key named by dkim_key_env / "
                                "dkim_key_file (PEM, RSA or Ed25519)") from exc
            b64 = base64.b64encode(sig)
            folded = b"\r\n\t".join(b64[i:i + 76] for i in range(0, len(b64), 76))
            out.append(b"DKIM-Signature:" + value + folded + b"\r\n")
        return b"".join(out) + data


def signer_for(ws, cfg) -> DkimSigner | None:
    mail = cfg.mail
    if not mail.dkim_selector:
        return None
    domain = mail.dkim_domain or parseaddr(mail.from_)[1].rpartition("@")[2]
    line = cfg.line_of("mail", "dkim_key_env") or cfg.line_of("mail", "dkim_key_file") or cfg.line_of("mail")
    ed_selector = mail.dkim_ed25519_selector
    if mail.dkim_key_env:
        value = os.environ.get(mail.dkim_key_env)
        if not value:
            raise MailError(f"{cfg.path}: [mail] dkim_key_env names the environment variable {mail.dkim_key_env}, "
                            "which is not set", f"export {mail.dkim_key_env}=\"$(cat key.pem)\" before running",
                            path=cfg.path, line=line)
        return _signer(cfg, line, mail.dkim_selector, domain, value.encode(), ed_selector)
    path = Path(mail.dkim_key_file).expanduser()
    if not path.is_absolute():
        path = ws.root / path
    try:
        inside = path.resolve().is_relative_to(ws.root.resolve())
    except OSError:
        inside = False
    if inside:
        raise MailError(f"{cfg.path}: [mail] dkim_key_file {mail.dkim_key_file!r} is inside the workspace: "
                        "a private key never belongs in the repo", "move it out (e.g. ~/.keys/) or use dkim_key_env",
                        path=cfg.path, line=line)
    try:
        key = path.read_bytes()
    except OSError as exc:
        raise MailError(f"{cfg.path}: cannot read dkim_key_file {mail.dkim_key_file!r}: {exc.strerror or exc}",
                        "check the path", path=cfg.path, line=line) from exc
    return _signer(cfg, line, mail.dkim_selector, domain, key, ed_selector)


def _signer(cfg, line, selector: str, domain: str, key: bytes, ed_selector: str | None) -> DkimSigner:
    try:
        return DkimSigner(selector, domain, key, ed_selector)
    except MailError as exc:
        raise MailError(f"{cfg.path}: [mail] {exc.message}", exc.fix, path=cfg.path, line=line) from exc
