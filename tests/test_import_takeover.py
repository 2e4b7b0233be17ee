"""Taking over real sites: what an old site leaves in its text is named, never passed in silence."""
from __future__ import annotations

from helpers import sk

NOW = "2026-03-05T12:00:00+01:00"

# A Jetpack contact page and a VideoPress embed, as WordPress.com exports them.
JETPACK_WXR = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
<title>Praxis Lind</title><link>https://praxislind.wordpress.com</link><description>Physio</description>
<wp:wxr_version>1.2</wp:wxr_version><wp:base_site_url>https://wordpress.com/</wp:base_site_url>
<wp:base_blog_url>https://praxislind.wordpress.com</wp:base_blog_url>
<item><title>Kontakt</title><link>https://praxislind.wordpress.com/kontakt/</link>
 <wp:post_id>5</wp:post_id><wp:post_type>page</wp:post_type><wp:status>publish</wp:status>
 <wp:post_name>kontakt</wp:post_name><wp:post_parent>0</wp:post_parent>
 <content:encoded><![CDATA[Schreiben Sie uns:

[contact-form to="info@praxislind.example" subject="Anfrage"]""" \
    """[contact-field label="Name" type="name" required="1" /][contact-field label="E-Mail" type="email" required="1" /]""" \
    """[contact-field label="Nachricht" type="textarea" /][/contact-form]

So finden Sie uns:

[wpvideo bFNsKk9L]]]></content:encoded></item>
</channel></rss>
"""


def test_jetpack_contact_form_fields_and_videopress_are_named_as_leftovers(tmp_path):
    ws = tmp_path / "ws"
    (ws / "sites").mkdir(parents=True)
    export = tmp_path / "export.xml"
    export.write_text(JETPACK_WXR, encoding="utf-8")
    run = sk("import", str(export), "--client", "lind", cwd=ws, now=NOW)
    assert run.returncode == 0, run.stdout + run.stderr
    report = (ws / "sites/lind/import-report.txt").read_text(encoding="utf-8")
    for code in ("[contact-form to=", "[contact-field label=\"Name\"", "[/contact-form]", "[wpvideo bFNsKk9L]"):
        assert code in report, report
    checked = sk("check", "lind", cwd=ws, now=NOW)
    text = checked.stdout + checked.stderr
    assert checked.returncode == 0, text
    assert "[wpvideo bFNsKk9L]" in text and "[/contact-form]" in text
