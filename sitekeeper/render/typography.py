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
from dataclasses import dataclass
from functools import lru_cache

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
_HTML_RE = re.compile(
    r"(<!--.*?-->|<(" + "|".join(_SKIP_TAGS) + r")\b[^>]*>.*?</\2\s*>|<[^>]*>)", re.S | re.I)


def _alt(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@lru_cache(maxsize=64)
def _compiled(lang: str):
    base = lang.split("-", 1)[0].lower()
    rules = RULES.get(base, LangRules())
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


@lru_cache(maxsize=64)
def _candidate(lang: str) -> re.Pattern:
    """One pattern that matches wherever any rule of ``lang`` could apply (a superset: the
    rules decide): text without a match (most of a page) is passed over with one search.
    Every rule makes a space non-breaking, so the pattern starts with the space, which the
    regex engine finds fast, and asks the space's neighbours."""
    rules = RULES.get(lang.split("-", 1)[0].lower(), LangRules())
    around = [r"(?<=\d )", r"(?=\d)"]  # digit groups, units, a currency before the number
    around += [f"(?<={re.escape(title)} )" for title in sorted(set(COMMON_TITLES + rules.titles))]
    if rules.one_letter:
        letters = "".join(sorted(set(rules.one_letter) | {w.upper() for w in rules.one_letter}))
        around.append(f"(?<=[{letters}] )")
    if rules.dotted_day:
        around.append(r"(?<=\d\. )")
    if rules.french:
        around += ["(?=[;!?:»])", "(?<=« )"]
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
_BREAK_RE = re.compile(
    r"(<!--.*?-->|<(" + "|".join(_SKIP_TAGS) + r")\b[^>]*>.*?</\2\s*>|<(?!/?(?:" + "|".join(_INLINE)
    + r")[\s/>])[^>]*>)", re.S | re.I)
"""What ends a run of text: a comment, a skipped element, any tag but an inline element's.
Text on both sides of an inline tag is one run ("<strong>20</strong> %")."""
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
    """HTML with non-breaking spaces in its text (``&nbsp;`` as the character itself); text
    on both sides of an inline element's tag is read as one ("<a href=…>v</a> Praze")."""
    if not html:
        return html
    parts = _BREAK_RE.split(html)
    # split() with two groups yields: run, whole tag, inner group (or None), run, ...
    seen = _SEEN.setdefault(lang, {})
    if len(seen) > 50_000:
        seen.clear()
    for i in range(0, len(parts), 3):
        run = parts[i]
        if " " in run and not run.isspace():
            done = seen.get(run)
            if done is None:
                done = seen[run] = _run_nbsp(run, lang)
            parts[i] = done
    del parts[2::3]  # the inner groups (a skipped element's name, or None)
    return "".join(parts)
