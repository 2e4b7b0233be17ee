"""Locale typography: non-breaking spaces where each language's typography wants them.

One text function for site pages and emails alike: ``nbsp_text(text, lang)`` for plain
text and ``nbsp_html(html, lang)`` for HTML, which touches text between tags only (never
attributes, never the insides of <script>, <style>, <pre>, <code>, <textarea>, and never a
URL written in the text). Subjects stay as written: they are not passed here.

The rules, per language (the table below):

- every language: inside digit groups ("1 280", "10 000") and between a number and its
  unit or currency ("20 %", "1 280 Kč", "23,00 €", "€ 5", "500 g");
- between a title and the name after it ("MUDr. Nováková", "Dr. Weber");
- Czech, Slovak and Polish: after one-letter prepositions and conjunctions ("v Praze",
  "o Vánocích", "a děti");
- languages that write "6. ledna" / "6. Januar": between the day and the month;
- French: a non-breaking space before « : ; ! ? » and after «.

Only an existing space is made non-breaking; nothing is inserted where the author wrote none.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

from ..locale.tags import base as language_of

NBSP = "\u00a0"
NNBSP = "\u202f"  # narrow no-break space (French ; ! ?)

UNITS = (
    "%", "‰", "€", "$", "£", "¥", "Kč", "Sk", "Ft", "zł", "lei", "leu", "RON", "CZK", "EUR", "PLN", "HUF", "CHF",
    "USD", "GBP", "kr", "g", "kg", "dkg", "mg", "l", "ml", "dl", "cl", "cm", "mm", "m", "km", "m²", "m2", "ha",
    "min", "h", "s", "°C", "°", "ks", "Stk.", "St.", "pcs", "x", "×",
)
CURRENCY_BEFORE = ("€", "$", "£", "CHF", "EUR", "USD", "GBP", "CZK", "RON", "PLN", "HUF", "R$")

COMMON_TITLES = ("Dr.", "Prof.", "Ing.", "Mgr.", "Bc.", "Dipl.-Ing.")


@dataclass(frozen=True)
class LangRules:
    one_letter: tuple[str, ...] = ()
    """One-letter words that must not end a line (prepositions, conjunctions)."""
    titles: tuple[str, ...] = ()
    """Titles and abbreviations kept with the following word."""
    dotted_day: bool = False
    """Dates written "6. ledna": keep the day with the month."""
    french: bool = False
    """Spaces before : ; ! ? » and after « are non-breaking."""


_SLAVIC_ONE = ("k", "s", "v", "z", "o", "u", "a", "i")
_CS_TITLES = ("MUDr.", "MDDr.", "MVDr.", "JUDr.", "PhDr.", "RNDr.", "PharmDr.", "PaedDr.", "doc.", "prof.", "Ph.D.",
              "Ing. arch.", "č.", "tel.", "str.", "sv.")

RULES: dict[str, LangRules] = {
    "en": LangRules(titles=("Mr.", "Mrs.", "Ms.", "Mx.", "St.", "No.")),
    "de": LangRules(titles=("Hr.", "Fr.", "Nr.", "St.", "Dr. med.", "Dr. med. dent.", "z. B.", "d. h.", "u. a."),
                    dotted_day=True),
    "cs": LangRules(one_letter=_SLAVIC_ONE, titles=_CS_TITLES, dotted_day=True),
    "sk": LangRules(one_letter=_SLAVIC_ONE, titles=_CS_TITLES, dotted_day=True),
    "pl": LangRules(one_letter=("w", "z", "o", "u", "i", "a", "k"), titles=("dr", "mgr", "inż.", "lek.", "ul.", "nr"),
                    dotted_day=False),
    "ro": LangRules(titles=("Dl.", "Dna.", "Dr.", "nr.", "str.")),
    "nl": LangRules(titles=("dhr.", "mevr.", "nr.")),
    "it": LangRules(titles=("Sig.", "Sig.ra", "Dott.", "Dott.ssa", "n.")),
    "fr": LangRules(titles=("M.", "Mme", "Mlle", "Me", "n°", "nº"), french=True),
    "es": LangRules(titles=("Sr.", "Sra.", "Srta.", "D.", "Dña.", "n.º")),
    "pt": LangRules(titles=("Sr.", "Sra.", "D.", "n.º")),
    "hu": LangRules(titles=("id.", "ifj.", "u.", "sz."), dotted_day=False),
}

_URL_RE = re.compile(r"(?:https?://|www\.|mailto:|tel:)\S+|\S+@\S+\.\S+")
_SKIP_TAGS = ("script", "style", "pre", "code", "textarea", "kbd", "samp")

def _alt(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@lru_cache(maxsize=64)
def _compiled(lang: str):
    rules = RULES.get(language_of(lang), LangRules())
    subs: list[tuple[re.Pattern, str]] = []
    # Digit groups: "1 280", "10 000 000" (a group of three digits after a space).
    subs.append((re.compile(r"(?<=\d) (?=\d{3}(?!\d))"), NBSP))
    # A number and its unit or currency: "20 %", "1 280 Kč", "500 g" (not "5 gramů").
    subs.append((re.compile(r"(?<=\d) (?=(?:" + _alt(UNITS) + r")(?![\w]))"), NBSP))
    # A currency sign before the number: "€ 5", "CHF 12".
    subs.append((re.compile(r"(?<![\w])(" + _alt(CURRENCY_BEFORE) + r") (?=\d)"), r"\1" + NBSP))
    titles = COMMON_TITLES + rules.titles
    subs.append((re.compile(r"(?<![\w.])(" + _alt(titles) + r") (?=\w)"), r"\1" + NBSP))
    if rules.one_letter:
        letters = "".join(sorted(set(w for w in rules.one_letter) | set(w.upper() for w in rules.one_letter)))
        # A one-letter word (after a space, a bracket, a quote or the start) and the space after it;
        # the lookbehind keeps "a " in "Praha a" a word of its own, not the end of "Praha".
        subs.append((re.compile(r"(?<![\w.,\-])([" + letters + r"]) (?=\S)"), r"\1" + NBSP))
    if rules.dotted_day:
        subs.append((re.compile(r"(?<![\w.])(\d{1,2}\.) (?=[^\W\d_])"), r"\1" + NBSP))
    if rules.french:
        subs.append((re.compile(r" (?=[;!?])"), NNBSP))
        subs.append((re.compile(r"(?<=\w) (?=[:»])"), NBSP))
        subs.append((re.compile(r"(?<=«) "), NBSP))
    return tuple(subs)


@lru_cache(maxsize=128)
def _candidate(lang: str, html: bool = False) -> re.Pattern:
    """One pattern that matches wherever a rule of ``lang`` could apply (each rule written
    from its space: a superset, the rules decide). Text without a match, most of a page, is
    passed over in one search: the pattern starts with the space, which the regex engine finds
    fast, and most spaces fail its first question. With ``html``, a space beside a tag too:
    its neighbour across the tag (``<b>1</b> 280``) only the run's text shows."""
    rules = RULES.get(language_of(lang), LangRules())
    titles = sorted(set(COMMON_TITLES + rules.titles), key=len, reverse=True)
    dotted = "|".join(f"(?<={re.escape(t)} )" for t in titles if t.endswith("."))
    around = [
        # digit groups, a number and its unit
        r"(?<=\d )(?=\d{3}(?!\d)|(?:" + _alt(UNITS) + r")(?!\w))",
        # a currency before the number
        r"(?=\d)(?:" + "|".join(f"(?<={re.escape(c)} )" for c in CURRENCY_BEFORE) + ")",
        # titles: most end in a dot, which is asked first
        r"(?=\w)(?<=\. )(?:" + dotted + ")",
    ]
    undotted = [t for t in titles if not t.endswith(".")]
    if undotted:
        around.append(r"(?=\w)(?:" + "|".join(f"(?<={re.escape(t)} )" for t in undotted) + ")")
    if rules.one_letter:
        letters = "".join(sorted(set(rules.one_letter) | {w.upper() for w in rules.one_letter}))
        around.append(rf"(?=\S)(?:(?<=^[{letters}] )|(?<=[^\w.,\-][{letters}] ))")
    if rules.dotted_day:
        around.append(r"(?=[^\W\d_])(?<=\d\. )")
    if rules.french:
        around += [r"(?=[;!?])", r"(?=[:»])(?<=\w )", r"(?<=« )"]
    if html:
        around += [r"(?<=> )", r"(?=<)"]
    return re.compile(" (?:" + "|".join(around) + ")")


def _apply(text: str, subs) -> str:
    for pattern, repl in subs:
        text = pattern.sub(repl, text)
    return text


def nbsp_text(text: str, lang: str) -> str:
    """Plain text with non-breaking spaces per ``lang``'s typography; URLs left alone."""
    if not text or " " not in text or text.isspace() or not _candidate(lang).search(text):
        return text
    subs = _compiled(lang)
    out, pos = [], 0
    for m in _URL_RE.finditer(text):
        out.append(_apply(text[pos:m.start()], subs))
        out.append(m.group(0))
        pos = m.end()
    out.append(_apply(text[pos:], subs))
    return "".join(out)


_INLINE = ("a", "abbr", "b", "bdi", "bdo", "cite", "data", "del", "dfn", "em", "i", "ins", "mark", "q", "s",
           "small", "span", "strong", "sub", "sup", "time", "u")
_INLINE_TAG_RE = re.compile(r"</?(?:" + "|".join(_INLINE) + r")[\s/>]", re.I)
"""An inline element's tag: the text on both sides of it is one run ("<strong>20</strong> %")."""
_OPAQUE_RE = re.compile(r"<!--.*?-->|<(" + "|".join(_SKIP_TAGS) + r")\b[^>]*>.*?</\1\s*>", re.S | re.I)
"""Comments and the elements whose insides are never touched."""
_TAG_RE = re.compile(r"(<[^>]*>)")

_SEEN: dict[str, dict[str, str]] = {}
"""lang -> run -> the run with its non-breaking spaces, for runs that recur across pages
(the navigation's, the footer's)."""


def _run_nbsp(run: str, lang: str) -> str:
    """One run of text and inline tags, its texts read as one text: every rule makes a space
    non-breaking and never changes the length, so the result is cut back at the same places."""
    if "<" not in run:
        return nbsp_text(run, lang)
    parts = _TAG_RE.split(run)
    texts = parts[0::2]
    joined = "".join(texts)
    out = nbsp_text(joined, lang)
    if out == joined:
        return run
    pos = 0
    for j in range(0, len(parts), 2):
        size = len(parts[j])
        parts[j] = out[pos:pos + size]
        pos += size
    return "".join(parts)


def nbsp_html(html: str, lang: str) -> str:
    """HTML with non-breaking spaces in its text (``&nbsp;`` as the character itself).

    The text is read in runs: text and inline elements' tags between any other tags, comments
    and skipped elements ("<a href=…>v</a> Praze" is one run). Only the runs around a space
    where a rule could apply are looked at; the rest of the page is passed over in one search."""
    if not html or " " not in html:
        return html
    cand = _candidate(lang, True)
    m = cand.search(html)
    if m is None:
        return html
    seen = _SEEN.setdefault(lang, {})
    if len(seen) > 50_000:
        seen.clear()
    opaque = [(o.start(), o.end()) for o in _OPAQUE_RE.finditer(html)] if "<" in html else []
    starts = [a for a, _ in opaque]
    opaque_starts, opaque_ends = set(starts), {b for _, b in opaque}
    inline = _INLINE_TAG_RE.match
    size = len(html)
    out, pos = [], 0
    while m is not None:
        p = m.start()
        k = bisect_right(starts, p) - 1
        if k >= 0 and p < opaque[k][1]:  # in a comment or a skipped element
            m = cand.search(html, opaque[k][1])
            continue
        if html.rfind("<", 0, p) > html.rfind(">", 0, p):  # in a tag: an attribute's value
            gt = html.find(">", p)
            m = cand.search(html, gt + 1) if gt >= 0 else None
            continue
        # The run around p: back and forth over inline tags, to any other tag.
        s = html.rfind(">", 0, p) + 1
        while s > 0 and s not in opaque_ends:
            lt = html.rfind("<", 0, s - 1)
            if lt < 0 or not inline(html, lt):
                break
            s = html.rfind(">", 0, lt) + 1
        e = html.find("<", p)
        e = size if e < 0 else e
        while e < size and e not in opaque_starts and inline(html, e):
            gt = html.find(">", e)
            nxt = html.find("<", gt + 1) if gt >= 0 else -1
            e = size if nxt < 0 else nxt
        run = html[s:e]
        done = seen.get(run)
        if done is None:
            done = seen[run] = _run_nbsp(run, lang)
        out.append(html[pos:s])
        out.append(done)
        pos = e
        m = cand.search(html, e) if e < size else None
    out.append(html[pos:])
    return "".join(out)
