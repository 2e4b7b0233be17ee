"""The PDF: Chromium's print of the HTML report (A4, the page's own print styles)."""
from __future__ import annotations

from pathlib import Path


def print_pdf(html_file: Path, pdf_file: Path) -> None:
    """Prints ``html_file`` to ``pdf_file``; raises MailError when Chromium cannot be used."""
    from ..mail.proof import with_browser

    def pdf(browser) -> None:
        page, _ = browser.open(html_file, 1024)
        try:
            page.emulate_media(media="print")
            page.pdf(path=str(pdf_file), format="A4", print_background=True, prefer_css_page_size=True)
        finally:
            page.close()

    with_browser(pdf, "sitekeeper-report-pdf")
