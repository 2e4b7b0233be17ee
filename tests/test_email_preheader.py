"""An email written without a preheader: the inbox preview shows the body's first sentence,
never the "view in browser" line that comes first in the HTML."""
from __future__ import annotations

import re

from test_mail_render import BAKERY, promotion

from sitekeeper.mail.compose import compile_email


def _hidden_preview(html: str) -> str:
    m = re.search(r'<div style="display:none;[^"]*">(.*?)(&#847;|</div>)', html, re.S)
    return m.group(1).strip() if m else ""


def test_missing_preheader_falls_back_to_the_first_sentence_of_the_body(demo_workspace):
    for name in ("adventsaktion.md", "adventsaktion.en.md"):
        path = demo_workspace / "campaigns" / BAKERY / name
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(r"^preheader:.*\n", "", text, flags=re.M), encoding="utf-8")
    ws, cfg, promo = promotion(demo_workspace)
    email, problems = compile_email(ws, cfg, promo, "de")
    assert email is not None, problems
    html = email.personalize({}).html
    preview = _hidden_preview(html)
    assert preview.startswith("Draußen wird es früh dunkel"), preview
    assert preview.endswith("."), preview
    assert "Browser" not in preview
    assert "&#847;&zwnj;&nbsp;" in html  # the filler keeps the mail app from adding more words


def test_a_written_preheader_is_kept(demo_workspace):
    ws, cfg, promo = promotion(demo_workspace)
    email, _ = compile_email(ws, cfg, promo, "de")
    assert _hidden_preview(email.personalize({}).html).startswith("Nur bis 6.")


def test_first_sentence_does_not_end_at_a_date_or_a_title():
    from markdown_it import MarkdownIt

    from sitekeeper.mail.compose import first_sentence

    tokens = MarkdownIt().parse("Bis zum 6. Januar bei MUDr. Nováková: 20 % auf die Hygiene. Danach wieder regulär.")
    assert first_sentence(tokens) == "Bis zum 6. Januar bei MUDr. Nováková: 20 % auf die Hygiene."
    assert first_sentence(MarkdownIt().parse("# Nur ein Titel")) == ""
    long = MarkdownIt().parse("Wort " * 60)
    assert first_sentence(long).endswith("…") and len(first_sentence(long)) <= 151
