"""The From name follows the email's language: `[lang.en] name` for the English email, the
site's name for the German one; the address never changes."""
from __future__ import annotations

import email
import email.policy
from datetime import datetime, timezone

from helpers import edit
from test_mail_render import BAKERY, promotion

from sitekeeper.mail.message import message_bytes
from sitekeeper.mail.compose import compile_email

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc)


def _from(ws, cfg, promo, lang):
    compiled, problems = compile_email(ws, cfg, promo, lang)
    assert compiled is not None, problems
    out = message_bytes(cfg, promo, compiled.personalize({}), "martina@example.com", NOW)
    head = out.data.split(b"\r\n\r\n", 1)[0]
    msg = email.message_from_bytes(head + b"\r\n\r\n", policy=email.policy.default)
    return msg["From"].addresses[0]


def test_english_email_is_from_the_english_name_and_german_from_the_german(demo_workspace):
    ws, cfg, promo = promotion(demo_workspace)
    de, en = _from(ws, cfg, promo, "de"), _from(ws, cfg, promo, "en")
    assert de.display_name == "Bäckerei Sonnenkorn"
    assert en.display_name == "Sonnenkorn Bakery"
    assert de.addr_spec == en.addr_spec == "news@baeckerei-sonnenkorn.example"


def test_a_from_name_other_than_the_sites_name_is_kept_in_every_language(demo_workspace):
    toml = demo_workspace / "sites" / BAKERY / "site.toml"
    edit(toml, 'from = "Bäckerei Sonnenkorn <', 'from = "Martina Krüger <')
    ws, cfg, promo = promotion(demo_workspace)
    assert _from(ws, cfg, promo, "en").display_name == "Martina Krüger"
