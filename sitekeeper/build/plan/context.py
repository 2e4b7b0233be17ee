"""The plan context: what the planning steps share while they build one plan (the inputs,
the pages' URLs and visibility, the outputs so far, the problems found). Lives for one
plan_site call; the plan it makes is a value."""
from __future__ import annotations

from typing import Any

from datetime import datetime

from ...config import SiteConfig
from ...config.business import promo_words
from ...content.pages import Page
from ...errors import Diagnostic
from ..sources import SiteContent
from .jobs import Output
from .urls import page_urls, pages_by_key

# A generated output's kind -> the kinds of the client's own files that replace it at its path.
CLIENTS_OWN = {"robots": ("static",), "icon": ("static",), "404": ("static", "page"), "unsubscribe": ("static", "page")}


class PlanContext:
    def __init__(self, cfg: SiteConfig, content: SiteContent, now: datetime) -> None:
        self.cfg = cfg
        self.content = content
        self.now = now
        self.langs = cfg.languages
        self.deflang = cfg.default_language
        self.outputs: dict[str, Output] = {}
        self.problems: list[Diagnostic] = []
        self.words = promo_words(cfg)
        # [content] default_language_in_subfolder: the default language under /<lang>/ too
        self.def_prefix = f"/{self.deflang}" if cfg.default_language_in_subfolder else ""
        self.by_key = pages_by_key(content.pages, self.problems)
        self.urls = page_urls(self.by_key, self.deflang, self.def_prefix)
        self.visible = [p for p in content.pages if p.visible(now) and self.by_key[p.key].get(p.lang) is p]
        self.vis_by_key: dict[str, dict[str, Page]] = {}
        for p in self.visible:
            self.vis_by_key.setdefault(p.key, {})[p.lang] = p
        self.weights = {self.urls[(p.key, p.lang)]: p.weight for p in self.visible if p.weight is not None}
        # links to a page's file (`kontakt.md`, `../about.md#team`) -> that page's URL, in the
        # linking page's language when the target has a translation in it
        self.file_pages = {p.relpath: p for p in self.visible if self.by_key[p.key].get(p.lang) is p}
        self.translations_memo: dict[str, tuple[Any, ...]] = {}  # the same for every language of a page
        self.page_count = 0
        self.gfp = ""
        """The fingerprint of what every page shows (navigation.global_fingerprint), once known."""

    def add(self, out: Output) -> None:
        """Add an output; a second one at the same path is a problem, unless one of the two is
        the client's own file and the other a generated default (the client's wins)."""
        prev = self.outputs.get(out.path)
        if prev is not None:
            # The client's own file wins over a generated default, whichever comes first:
            # static/robots.txt, an old site's favicon or manifest, its own 404 page.
            own = CLIENTS_OWN.get(prev.kind)
            if own is not None and out.kind in own:
                self.outputs[out.path] = out
                return
            own = CLIENTS_OWN.get(out.kind)
            if own is not None and prev.kind in own:
                return
            self.problems.append(Diagnostic(out.source or prev.source, None,
                                            f"two outputs at /{out.path}: {prev.source} and {out.source}",
                                            "give one of them another file name or a different `slug`"))
            return
        self.outputs[out.path] = out

    def add_page(self, out: Output) -> None:
        self.add(out)
        self.page_count += 1
