"""Language codes: telling `about.fr.md` (a translation) from `spring.sale.md` (a name)."""
from __future__ import annotations

from collections.abc import Collection

# ISO 639-1: a file name ending in one of these before `.md` is meant as a translation.
ISO_639_1 = frozenset("""
aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy
da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu
hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb
lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om
or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw
ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu
""".split())


def foreign_language(stem: str, languages: Collection[str]) -> str | None:
    """The language code a file stem ends in (``about.fr`` -> ``fr``) when it is a real
    language code that the site does not list; None otherwise."""
    head, dot, tail = stem.rpartition(".")
    if dot and head and "/" not in tail and tail not in languages:
        code = tail.split("-")[0]
        if code in ISO_639_1:
            return tail
    return None
