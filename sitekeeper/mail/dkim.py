"""DKIM signing (dkimpy, imported only when [mail] dkim_selector is set).

The private key comes from the variable named by ``dkim_key_env`` or from ``dkim_key_file``,
a path outside the workspace (no secret is ever read from a workspace file). The signature
covers the headers a provider checks, List-Unsubscribe and List-Unsubscribe-Post included
(Gmail and Yahoo require them signed for one-click unsubscribe).
"""
from __future__ import annotations

import os
from email.utils import parseaddr
from pathlib import Path

from ..errors import MailError

SIGNED = (b"from", b"reply-to", b"to", b"subject", b"date", b"message-id", b"list-id", b"list-unsubscribe",
          b"list-unsubscribe-post", b"mime-version", b"content-type")


class DkimSigner:
    def __init__(self, selector: str, domain: str, key: bytes):
        try:
            import dkim
        except ImportError as exc:  # pragma: no cover - a dependency
            raise MailError("DKIM signing needs dkimpy", "pip install dkimpy") from exc
        self._dkim = dkim
        self.selector, self.domain, self.key = selector.encode(), domain.encode(), key

    def sign(self, data: bytes) -> bytes:
        try:
            sig = self._dkim.sign(data, self.selector, self.domain, self.key, include_headers=list(SIGNED),
                                  linesep=b"\r\n")
        except Exception as exc:  # dkimpy raises its own DKIMException and ValueError for a bad key
            raise MailError(f"DKIM signing failed: {exc}", "check the private key named by dkim_key_env / "
                            "dkim_key_file (PEM, RSA or Ed25519)") from exc
        return sig + data


def signer_for(ws, cfg) -> DkimSigner | None:
    mail = cfg.mail
    if not mail.dkim_selector:
        return None
    domain = mail.dkim_domain or parseaddr(mail.from_)[1].rpartition("@")[2]
    line = cfg.line_of("mail", "dkim_key_env") or cfg.line_of("mail", "dkim_key_file") or cfg.line_of("mail")
    if mail.dkim_key_env:
        value = os.environ.get(mail.dkim_key_env)
        if not value:
            raise MailError(f"{cfg.path}: [mail] dkim_key_env names the environment variable {mail.dkim_key_env}, "
                            "which is not set", f"export {mail.dkim_key_env}=\"$(cat key.pem)\" before running",
                            path=cfg.path, line=line)
        return DkimSigner(mail.dkim_selector, domain, value.encode())
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
    return DkimSigner(mail.dkim_selector, domain, key)
