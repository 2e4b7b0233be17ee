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
