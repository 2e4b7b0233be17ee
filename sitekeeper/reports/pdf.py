"""The PDF: Chromium's print of the HTML report (A4, the page's own print styles)."""
from __future__ import annotations

import threading
from pathlib import Path


def print_pdf(html_file: Path, pdf_file: Path) -> None:
    """Prints ``html_file`` to ``pdf_file``; raises MailError when Chromium cannot be used.

    In a thread of its own: Playwright's sync API refuses a thread with a running event loop."""
    from ..mail.proof import Browser

    errors: list[BaseException] = []

    def work() -> None:
        try:
            with Browser() as browser:
                page, _ = browser.open(html_file, 1024)
                try:
                    page.emulate_media(media="print")
                    page.pdf(path=str(pdf_file), format="A4", print_background=True, prefer_css_page_size=True)
                finally:
                    page.close()
        except BaseException as exc:  # re-raised in the caller's thread
            errors.append(exc)

    thread = threading.Thread(target=work, name="sitekeeper-report-pdf")
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
