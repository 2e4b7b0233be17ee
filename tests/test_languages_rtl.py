"""Right-to-left languages in the email: the campaign email and the sign-up confirmation in
Arabic or Hebrew are `dir="rtl"` with their text aligned right; left-to-right emails stay as
they were (the golden emails hold that)."""
from __future__ import annotations

from test_mail_render import BAKERY, edit, promotion

from sitekeeper.mail.confirmation import compose_confirmation
from sitekeeper.mail.compose import compile_email


def test_an_arabic_campaign_email_is_right_to_left(demo_workspace):
    edit(demo_workspace / "sites" / BAKERY / "site.toml", 'languages = ["de", "en"]', 'languages = ["ar", "en"]')
    ws, cfg, promo = promotion(demo_workspace)
    ar, problems = compile_email(ws, cfg, promo, "ar")
    assert ar is not None, problems
    assert 'dir="rtl"' in ar.html and "text-align:right" in ar.html
    assert "إلغاء الاشتراك" in ar.html  # the Arabic catalog's unsubscribe label
    en, problems = compile_email(ws, cfg, promo, "en")
    assert en is not None, problems
    assert 'dir="rtl"' not in en.html and "text-align:right" not in en.html


def test_a_hebrew_confirmation_is_right_to_left(demo_workspace):
    edit(demo_workspace / "sites" / BAKERY / "site.toml", 'languages = ["de", "en"]', 'languages = ["de", "en", "he"]')
    ws, cfg, _ = promotion(demo_workspace)
    msg = compose_confirmation(cfg, "reader@example.net", "he", "T0KEN", 30)
    html = msg.get_body(("html",)).get_content()
    assert 'dir="rtl"' in html and "נא לאשר את ההרשמה" in html
    de = compose_confirmation(cfg, "reader@example.net", "de", "T0KEN", 30).get_body(("html",)).get_content()
    assert 'dir="rtl"' not in de
