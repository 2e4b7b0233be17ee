"""Property tests: whatever front matter a user writes, the parser builds or gives a clean error."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitekeeper.content.pages import parse_page
from sitekeeper.content.promotions import parse_promotion
from sitekeeper.errors import Diagnostic

TZ = ZoneInfo("Europe/Prague")
KEYS = ["title", "date", "draft", "publish", "expires", "slug", "template", "description", "menu", "tags",
        "starts", "ends", "send_at", "subject", "banner", "page", "approved", "audience", "x"]
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=True),
    st.text(max_size=30), st.sampled_from(["2026-03-01", "2026-03-01 08:00", "2026-02-30", "tomorrow", "ř ß ș"]),
)
values = st.recursive(scalars, lambda c: st.one_of(st.lists(c, max_size=3), st.dictionaries(st.text(max_size=5), c, max_size=3)),
                      max_leaves=6)


def yaml_text(meta: dict) -> str:
    import yaml

    return yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)


def assert_clean(result):
    obj, diags = result
    assert all(isinstance(d, Diagnostic) and d.message and d.path for d in diags)
    if obj is None:
        assert any(d.is_error for d in diags), "no page and no error"
    else:
        assert not any(d.is_error for d in diags)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.dictionaries(st.sampled_from(KEYS), values, max_size=8), st.text(max_size=200))
def test_random_structured_front_matter_builds_or_gives_a_clean_error(meta, body):
    text = "---\n" + yaml_text(meta) + "---\n" + body
    assert_clean(parse_page("p.md", "content/p.md", text, ("cs", "en"), "cs", TZ))
    assert_clean(parse_promotion("c", "p", {"": ("campaigns/c/p.md", text)}, ("cs", "en"), "cs", TZ))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300))
def test_random_text_never_crashes_the_parser(raw):
    assert_clean(parse_page("p.md", "content/p.md", "---\n" + raw, ("cs",), "cs", TZ))
    assert_clean(parse_page("p.md", "content/p.md", raw, ("cs",), "cs", TZ))


simple_values = st.one_of(
    st.text(alphabet=st.sampled_from(list("abcXYZ äřß019 -_,.:#'\"[]!&?/()\\")), min_size=1, max_size=20),
    st.sampled_from(["yes", "No", "true", "false", "null", "~", "2026-03-01", "2026-03-01 08:00", "12", "-3", "010",
                     "1.5", "[a, b]", "[x, yes]", "[]", '"quoted"', "'single'", "'it''s'", '"a\\"b"', "a: b", "x # c"]),
)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["title", "tags", "menu", "yes", "date", "x_y", "On"]), simple_values),
                max_size=5))
def test_the_fast_front_matter_reader_agrees_with_yaml(pairs):
    from sitekeeper.content.frontmatter import _yaml, simple_yaml

    raw = "".join(f"{k}: {v}\n" for k, v in pairs)
    fast = simple_yaml(raw)
    if fast is None:
        return  # YAML decides
    yaml, loader = _yaml()
    expected = yaml.load(raw, Loader=loader) if raw.strip() else {}
    assert fast == (expected if expected is not None else {})


# ---------------------------------------------------------------- typography

import re as _re

from sitekeeper.render import typography as _ty

_WORDS = ["o", "v", "a", "i", "k", "20", "1", "280", "000", "Kč", "%", "€", "CHF", "5", "MUDr.", "Dr.", "Nová",
          "6.", "ledna", "Mme", "Dupont", "?", "!", ":", "«", "»", "nr", "kg", "Praha", "z", "W", "dr", "n°",
          "Ing.", "arch.", "z.", "B.", "(v", "St.", "m²", "x.example/v", "https://x.example/a", "lei", "Sk"]
_INLINE_TAGS = ["b", "strong", "a", "em", "span", "time"]
_BLOCK_TAGS = ["p", "li", "td", "h2", "div"]


def _reference_nbsp_html(html: str, lang: str) -> str:
    """The definition, the slow way: split into runs at every tag but an inline one, at comments
    and at skipped elements; apply every rule to each run's text (tags taken out, put back)."""
    inline = "|".join(_ty._INLINE)
    breaks = _re.compile(r"(<!--.*?-->|<(" + "|".join(_ty._SKIP_TAGS) + r")\b[^>]*>.*?</\2\s*>|<(?!/?(?:"
                         + inline + r")[\s/>])[^>]*>)", _re.S | _re.I)
    subs = _ty._compiled(lang)
    parts = breaks.split(html)
    out = []
    for i in range(0, len(parts), 3):
        run = parts[i]
        pieces = _re.split(r"(<[^>]*>)", run)
        texts = pieces[0::2]
        joined = "".join(texts)
        done, pos = [], 0
        for m in _ty._URL_RE.finditer(joined):
            done.append(_ty._apply(joined[pos:m.start()], subs))
            done.append(m.group(0))
            pos = m.end()
        done.append(_ty._apply(joined[pos:], subs))
        joined_out = "".join(done)
        pos = 0
        for j in range(0, len(pieces), 2):
            n = len(pieces[j])
            pieces[j] = joined_out[pos:pos + n]
            pos += n
        out.append("".join(pieces))
        if i + 1 < len(parts):
            out.append(parts[i + 1])
    return "".join(out)


@st.composite
def _html_fragment(draw):
    out = []
    for _ in range(draw(st.integers(1, 4))):
        block = draw(st.sampled_from(_BLOCK_TAGS))
        words = []
        for _ in range(draw(st.integers(1, 8))):
            w = draw(st.sampled_from(_WORDS))
            kind = draw(st.integers(0, 9))
            if kind == 0:
                tag = draw(st.sampled_from(_INLINE_TAGS))
                attr = ' href="/a b" title="o 20 %"' if tag == "a" else ""
                w = f"<{tag}{attr}>{w}</{tag}>"
            elif kind == 1:
                w = f"<code>{w} {w}</code>"
            elif kind == 2:
                w = "<br>" + w
            elif kind == 3:
                w = f"<!-- {w} 20 % -->" + w
            words.append(w)
        out.append(f"<{block} class=\"x y\">{' '.join(words)}</{block}>")
    return "\n".join(out)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(html=_html_fragment(), lang=st.sampled_from(["cs", "de", "fr", "en", "pl", "sk", "ro", "xx"]))
def test_typography_of_html_is_the_rules_applied_to_each_run(html, lang):
    _ty._SEEN.clear()
    assert _ty.nbsp_html(html, lang) == _reference_nbsp_html(html, lang)
