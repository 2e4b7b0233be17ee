"""Property tests: no generated site.toml, audience.csv or raw bytes gives a traceback; each gives
a value or Diagnostics with a path and a message. A few go through the real command line."""
from __future__ import annotations


from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import copy_workspace, sk
from sitekeeper.config import parse_site
from sitekeeper.errors import Diagnostic
from sitekeeper.mail.audience import decode_csv, parse_audience

SITE_KEYS = ["name", "base_url", "languages", "timezone", "description", "theme", "mail", "deploy", "content",
             "lang", "business", "x"]
toml_scalars = st.one_of(
    st.booleans(), st.integers(-10**6, 10**6), st.text(max_size=25),
    st.sampled_from(["https://a.example", "sftp://u@h:22/www", "s3://b/p", "dir:out", "ftp://x", "de", "Europe/Berlin",
                     "#fff", "smtp://127.0.0.1:25", "ses", "../../etc/passwd"]),
)
toml_values = st.recursive(toml_scalars, lambda c: st.one_of(st.lists(c, max_size=3),
                                                               st.dictionaries(st.sampled_from(SITE_KEYS + ["url", "from"]), c, max_size=3)),
                           max_leaves=6)


def _toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r") + '"'
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    return "{" + ", ".join(f'"{k}" = {_toml_value(x)}' for k, x in v.items()) + "}"


def toml_text(data: dict, garbage: str) -> str:
    return "\n".join(f"{k} = {_toml_value(v)}" for k, v in data.items()) + "\n" + garbage


def _clean(diags):
    assert all(isinstance(d, Diagnostic) and d.message and d.path for d in diags)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.dictionaries(st.sampled_from(SITE_KEYS), toml_values, max_size=8),
       st.sampled_from(["", "[deploy.x]\nurl = 1\n", "[mail\n", "name = 'a'\nname = 'b'\n", "\x00", "[content]\nembeds = 3\n"]))
def test_any_site_toml_gives_a_config_or_diagnostics(tmp_path_factory, data, garbage):
    root = tmp_path_factory.getbasetemp() / "site"
    root.mkdir(exist_ok=True)
    cfg, diags = parse_site("client", root, toml_text(data, garbage), "sites/client/site.toml")
    _clean(diags)
    assert cfg is not None or any(d.is_error for d in diags)


cells = st.one_of(st.text(max_size=12), st.sampled_from(["a@b.example", "max@example..com", "2026-01-01", '"', ";", ",", "\r\n"]))


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.lists(st.lists(cells, max_size=6), max_size=6), st.sampled_from([",", ";", "\t"]),
       st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16", "latin-1"]), st.binary(max_size=20))
def test_any_audience_file_gives_rows_or_diagnostics(rows, sep, encoding, noise):
    text = "\n".join(sep.join(r) for r in [["email", "name", "consented_at"], *rows])
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode("utf-8")
    for blob in (data, data + noise, noise):
        decoded, diags = decode_csv(blob, "campaigns/c/audience.csv")
        _clean(diags)
        if decoded is not None:
            aud = parse_audience(decoded, "campaigns/c/audience.csv")
            _clean(aud.problems)
            assert all("@" in s.email for s in aud.subscribers)


@settings(max_examples=12, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
          deadline=None)
@given(st.dictionaries(st.sampled_from(SITE_KEYS), toml_values, max_size=6),
       st.binary(max_size=40), st.text(max_size=60))
def test_the_command_line_never_shows_a_traceback(tmp_path_factory, data, audience, front):
    ws = copy_workspace("mini", tmp_path_factory.mktemp("ws"))
    (ws / "sites/mini/site.toml").write_text(toml_text(data, ""), encoding="utf-8")
    (ws / "campaigns/mini/audience.csv").write_bytes(audience)
    (ws / "sites/mini/content/neu.md").write_text(f"---\n{front}\n---\nText\n", encoding="utf-8")
    for args in (("check",), ("build", "mini", "--out", "out"), ("publish", "mini", "--dry-run")):
        run = sk(*args, cwd=ws, now="2026-03-05T12:00:00+01:00")
        assert run.returncode in (0, 1), (args, run.stderr)
        assert "Traceback" not in run.stderr and "internal error" not in run.stderr, (args, run.stderr)
