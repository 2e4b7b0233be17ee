"""The one reading of a language tag: `de-AT`, `de_AT` and `DE` all name German."""
from __future__ import annotations

import re

SITE_TAG = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?$")
"""A language tag as a site's `languages` takes it: `de`, `pt-BR`, `zh-Hant`."""


def normalise(tag: str) -> str:
    """`de_at` -> `de-AT`, `DE` -> `de`: lower-case language, upper-case region, hyphen between."""
    parts = tag.strip().replace("_", "-").split("-")
    head = parts[0].lower()
    rest = [p.upper() if len(p) == 2 else p for p in parts[1:] if p]
    return "-".join([head, *rest])


def base(tag: str) -> str:
    """The language without its region: `de-AT` -> `de`."""
    return normalise(tag).split("-", 1)[0]


# The country each catalog's words and CLDR's plain language are written for, where it is not
# the language code in capitals (de -> DE, fr -> FR …).
_HOME = {"en": "GB", "el": "GR", "cs": "CZ", "da": "DK", "sv": "SE", "sl": "SI", "ga": "IE", "nb": "NO",
         "uk": "UA", "he": "IL", "ja": "JP", "ko": "KR", "zh": "CN", "et": "EE", "ar": "EG", "sq": "AL",
         "ca": "ES", "eu": "ES", "gl": "ES", "cy": "GB", "gd": "GB", "hi": "IN", "vi": "VN", "fa": "IR",
         "ka": "GE", "hy": "AM", "kk": "KZ", "ms": "MY", "sr": "RS", "bs": "BA", "mk": "MK", "nn": "NO"}


def site_tag(tag: str) -> str:
    """The language tag a site is written in for one an old site gave: as written (normalised),
    without a region that is the one the language's words are written for (`de-DE` -> `de`,
    `en-GB` -> `en`, `zh-CN` -> `zh`), with any other (`pt-BR`, `de-AT`, `en-US`, `zh-TW`)."""
    parts = normalise(tag).split("-")[:2]  # zh-Hant-TW -> zh-Hant: a site's tag has one subtag
    tag = "-".join(parts)
    if len(parts) == 2 and len(parts[1]) == 2 and parts[1] == _HOME.get(parts[0], parts[0].upper()):
        return parts[0]
    return tag
