"""What an old theme drew from data: `data/` (Hugo) and `_data/` (Jekyll) files, front-matter
lists and picture lists, turned into Markdown a page can show, or named in the report.

- A list of records (mappings sharing their keys: team members, opening hours, a price list)
  becomes a Markdown table; one with a price column a ``::: prices`` block, one of people
  (a name with a role or a photo) a ``::: team`` block. A mapping of such lists (a menu by
  course) becomes one table per list under its heading.
- A list of pictures (``images:``, ``gallery:``, ``photos:``) becomes a ``::: gallery`` when
  the pictures are exactly those of one static folder, else the pictures in a row.
- ``template_refs`` finds the data a template reads (``.Site.Data.team``, ``site.data.team``),
  so the importer can tell which page showed it.

Nothing here reads or writes files but ``load``, which reads only through a ``SourceTree``.
"""
from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime

from .common import SourceTree

DATA_EXT = (".yaml", ".yml", ".json", ".toml", ".csv", ".tsv")
IMAGE_EXT = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg", ".avif")
GALLERY_EXT = (".jpg", ".jpeg", ".png", ".gif", ".webp")
PICTURE_LISTS = {"images", "gallery", "photos", "pictures", "gallery_images", "slides", "carousel", "fotos", "bilder"}
PRICE_KEYS = {"price", "prices", "preis", "prix", "prezzo", "precio", "cena", "cost", "amount", "rate", "fee"}
NAME_KEYS = ("name", "title", "label", "item", "day")
ROLE_KEYS = ("role", "jobtitle", "job_title", "position", "job")
PHOTO_KEYS = ("photo", "image", "picture", "avatar", "portrait", "img")
TEXT_KEYS = ("bio", "description", "text", "summary", "content")
_SCALAR = (str, int, float, bool, date, datetime)


@dataclass
class DataFile:
    name: str
    """Its name as templates say it: 'team' (data/team.yaml), 'people.anna' (data/people/anna.yml)."""
    src: str
    """The file, as the report names it."""
    value: object
    shown_on: list[str] = field(default_factory=list)
    """The pages (origins) it was placed on."""


def load(tree: SourceTree, folder: str) -> tuple[dict[str, DataFile], list[tuple[str, str]]]:
    """Every data file under ``folder`` by its dotted name, and (file, why) of those unreadable."""
    found: dict[str, DataFile] = {}
    bad: list[tuple[str, str]] = []
    for rel, path in tree.files(folder, skip=lambda rel, is_dir: rel.rsplit("/", 1)[-1].startswith(".")):
        stem, dot, ext = rel.rpartition(".")
        if not dot or f".{ext.lower()}" not in DATA_EXT:
            continue
        shown = tree.show(f"{folder}/{rel}")
        try:
            value = _parse(path.read_text(encoding="utf-8"), ext.lower())
        except Exception as exc:  # YAML, JSON, TOML and CSV each raise their own
            bad.append((shown, str(exc).split("\n")[0][:120]))
            continue
        name = stem.replace("/", ".")
        found[name] = DataFile(name, shown, value)
    return found, bad


def _parse(text: str, ext: str) -> object:
    if ext in ("yaml", "yml"):
        import yaml

        return yaml.safe_load(text)
    if ext == "json":
        return json.loads(text)
    if ext == "toml":
        return tomllib.loads(text)
    import csv
    import io

    return list(csv.DictReader(io.StringIO(text), delimiter="\t" if ext == "tsv" else ","))


_REF_RE = re.compile(r"""(?:\$?\.Site\.Data|\bsite\.Data|\bsite\.data|\$\.Site\.Data)((?:\.[\w-]+)+)"""
                     r"""|index\s+\(?\$?\.?Site\.Data\)?\s+"([\w.-]+)"|site\.data\[['"]([\w.-]+)['"]\]""")


def template_refs(text: str) -> set[str]:
    """The data a template (a Hugo layout or shortcode, a Jekyll layout or include) reads:
    'features', 'menus.main'."""
    refs = set()
    for m in _REF_RE.finditer(text):
        refs.add((m.group(1) or "").lstrip(".") or m.group(2) or m.group(3))
    return {r for r in refs if r}


def resolve(data: dict[str, DataFile], ref: str) -> tuple[DataFile, object] | None:
    """The data file a reference names, and the part of it named ('menus.main' -> menus' main)."""
    parts = ref.split(".")
    for n in range(len(parts), 0, -1):
        name = ".".join(parts[:n])
        if name in data:
            value = data[name].value
            for key in parts[n:]:
                if not isinstance(value, dict) or key not in value:
                    return None
                value = value[key]
            return data[name], value
    members = {k: f for k, f in data.items() if k.startswith(ref + ".")}
    if members:  # a folder of files: each file one record
        first = next(iter(members.values()))
        folder = DataFile(ref, first.src.rsplit("/", 1)[0] + "/", {k[len(ref) + 1:]: f.value for k, f in members.items()})
        return folder, folder.value
    return None


# ---------------------------------------------------------------- records -> Markdown


def records_of(value: object) -> list[dict] | None:
    """The records of a list of mappings (or of a mapping of mappings, keyed by its first
    column) that share their keys, or None when ``value`` is not such a list."""
    if isinstance(value, dict) and value and all(isinstance(v, dict) for v in value.values()):
        rows = [{"": str(k), **v} for k, v in value.items()]
    elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        rows = [dict(v) for v in value]
    else:
        return None
    keys = [set(r) - {""} for r in rows]
    common = set.intersection(*keys) if keys else set()
    if not common or not any(_cell_ok(r.get(k)) for r in rows for k in common):
        return None
    return rows


def _cell_ok(value: object) -> bool:
    return isinstance(value, _SCALAR) or _image_of(value) is not None or (isinstance(value, list) and all(
        isinstance(v, _SCALAR) or (isinstance(v, dict) and any(isinstance(x, str) for x in v.values())) for v in value))


def _image_of(value: object) -> str | None:
    """A picture's path: a string ending in an image suffix, or a mapping with url/src/path."""
    if isinstance(value, dict):
        value = value.get("url") or value.get("src") or value.get("path") or value.get("image")
    if isinstance(value, str) and value.lower().split("?")[0].endswith(IMAGE_EXT) and not re.match(r"^[a-z]+:", value):
        return value
    return None


def site_image(path: str, static: set[str], folder: str = "") -> str | None:
    """``path`` as the new site serves it, when the file was imported under static/ (a
    relative path is looked for in the page's own ``folder`` first, as a Hugo bundle has it)."""
    path = path.strip().split("?")[0]
    inner = path.lstrip("/")
    candidates = [folder.strip("/") + "/" + path.removeprefix("./")] if folder.strip("/") and not path.startswith("/") else []
    candidates += [inner, inner.removeprefix("static/")]
    for candidate in candidates:
        if candidate and candidate in static:
            return "/" + candidate
    return None


def picture(path: str, alt: str = "") -> str:
    """A Markdown image of a site path (one with spaces in angle brackets, as CommonMark wants)."""
    target = f"<{path}>" if re.search(r"[\s()]", path) else path
    return f"![{_esc(alt).replace(']', '').replace('[', '')}]({target})"


def _cell(value: object, static: set[str], alt: str = "") -> str:
    image = _image_of(value)
    if image is not None:
        shown = site_image(image, static)
        return picture(shown, alt) if shown else _esc(image)
    if isinstance(value, bool):
        return "✓" if value else ""
    if isinstance(value, list):
        parts = []
        for v in value:
            if isinstance(v, dict):
                v = next((x for x in v.values() if isinstance(x, _SCALAR) and not isinstance(x, bool)), "")
            parts.append(_esc(str(v)))
        return ", ".join(p for p in parts if p)
    if isinstance(value, dict) or value is None:
        return ""
    return _esc(str(value))


def _esc(text: str) -> str:
    return " ".join(text.replace("|", "\\|").split())


def _heading(key: str) -> str:
    words = re.sub(r"[-_]+", " ", key).strip()
    return words[:1].upper() + words[1:]


def _columns(rows: list[dict]) -> list[str]:
    cols: list[str] = []
    for r in rows:
        for k in r:
            if k not in cols and any(_cell_ok(x.get(k)) for x in rows):
                cols.append(k)
    return cols


def _team_fields(cols: list[str]) -> tuple[str, str | None, str | None, str | None] | None:
    name = "name" if "name" in cols else None
    role = next((k for k in ROLE_KEYS if k in cols), None)
    photo = next((k for k in PHOTO_KEYS if k in cols), None)
    if name is None or (role is None and photo is None):
        return None
    return name, role, photo, next((k for k in TEXT_KEYS if k in cols), None)


def _team(rows: list[dict], fields: tuple[str, str | None, str | None, str | None], static: set[str]) -> str:
    name, role, photo, text = fields
    out = ["::: team"]
    for r in rows:
        if not isinstance(r.get(name), _SCALAR):
            continue
        out.append(f"name: {_esc(str(r[name]))}")
        if role and isinstance(r.get(role), _SCALAR):
            out.append(f"role: {_esc(str(r[role]))}")
        picture = _image_of(r.get(photo)) if photo else None
        shown = site_image(picture, static) if picture else None
        if shown:
            out.append(f"photo: {shown}")
        if text and isinstance(r.get(text), str) and r[text].strip():
            out.append(" ".join(r[text].split()))
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n:::\n"


def table(rows: list[dict], static: set[str], caption: str = "", plain: bool = False) -> str:
    """The records as a Markdown table (unless ``plain``, a team block for people, a price
    list for prices)."""
    cols = _columns(rows)
    fields = _team_fields(cols)
    if fields is not None and not plain and not PRICE_KEYS & {c.lower() for c in cols}:
        return _team(rows, fields, static)
    head = "| " + " | ".join(_esc(_heading(c)) for c in cols) + " |"
    rule = "|" + "|".join("---:" if c.lower() in PRICE_KEYS else "---" for c in cols) + "|"
    label = next((k for k in NAME_KEYS if k in cols), "")
    lines = [head, rule] + ["| " + " | ".join(_cell(r.get(c), static, str(r.get(label) or "")) for c in cols) + " |"
                            for r in rows]
    text = "\n".join(lines) + "\n"
    if PRICE_KEYS & {c.lower() for c in cols} and not plain:
        return f"::: prices {_esc(caption)}".rstrip() + "\n" + text + ":::\n"
    return (f"**{_esc(caption)}**\n\n" if caption else "") + text


def as_markdown(value: object, static: set[str], caption: str = "", plain: bool = False) -> str | None:
    """Markdown for data a page showed: a table of records, or one per list of a mapping of
    lists (a menu by course, under its headings), or None when it is no such thing."""
    rows = records_of(value)
    if rows is not None:
        return table(rows, static, caption, plain)
    if isinstance(value, dict) and value:
        parts = []
        for key, inner in value.items():
            rows = records_of(inner)
            if rows is None:
                return None
            parts.append(f"### {_esc(_heading(str(key)))}\n\n" + table(rows, static, "", plain))
        return "\n".join(parts)
    return None


def describe(value: object) -> str:
    """What a data value holds, in a few words: '4 records: name, link, image'."""
    rows = records_of(value)
    if rows is not None:
        return f"{len(rows)} records: " + ", ".join(c or "(key)" for c in _columns(rows))
    if isinstance(value, dict):
        keys = list(value)
        return "keys " + ", ".join(str(k) for k in keys[:8]) + (f" and {len(keys) - 8} more" if len(keys) > 8 else "")
    if isinstance(value, list):
        return f"a list of {len(value)} items"
    return f"the value {str(value)[:40]!r}"


# ---------------------------------------------------------------- picture lists


def pictures_of(value: object) -> list[tuple[str, str]] | None:
    """(path, caption) of a front-matter list of pictures, or None when it is not one."""
    if not isinstance(value, list) or not value:
        return None
    found = []
    for item in value:
        path = _image_of(item)
        if path is None:
            return None
        caption = ""
        if isinstance(item, dict):
            caption = str(item.get("caption") or item.get("title") or item.get("alt") or item.get("description") or "")
        found.append((path, caption))
    return found


def gallery(items: list[tuple[str, str]], static: set[str], folder: str = "", plain: bool = False) -> tuple[str, list[str]]:
    """A gallery block when the pictures are all those of one static folder (the order and
    captions as the gallery shows them), else the pictures in a row; and the paths not found."""
    shown = [(site_image(p, static, folder), p, c) for p, c in items]
    missing = [p for s, p, _ in shown if s is None]
    found = [(s, c) for s, _, c in shown if s is not None]
    if not found:
        return "", missing
    folders = {s.rsplit("/", 1)[0] + "/" for s, _ in found}
    if len(folders) == 1 and not plain and all(s.lower().endswith(GALLERY_EXT) for s, _ in found):
        where = folders.pop()
        inside = {"/" + p for p in static if ("/" + p).startswith(where) and "/" not in ("/" + p)[len(where):]
                  and p.lower().endswith(GALLERY_EXT)}
        if inside == {s for s, _ in found} and [s for s, _ in found] == sorted(inside):
            lines = [f"::: gallery {where}"]
            lines += [f"{s.rsplit('/', 1)[1]}: {' '.join(c.split())}" for s, c in found if c.strip()]
            return "\n".join(lines) + "\n:::\n", missing
    row = " ".join(picture(s, c) for s, c in found)
    return row + "\n", missing


# ---------------------------------------------------------------- what the importers report


def for_html(md: str) -> str:
    """Generated Markdown (tables, pictures, headings) as HTML, for a page written in HTML."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable("table").render(md)


def show_front_matter_lists(page, static: set[str], folder: str = "", skip: frozenset[str] = frozenset()
                            ) -> tuple[list[str], list[str], list[str]]:
    """A page's front-matter lists of records (a table) and of pictures (a gallery) shown at
    the end of its body; returns (the keys shown, the pictures not found, the theme-only keys
    left in ``params``)."""
    params = page.meta.get("params")
    if not isinstance(params, dict):
        return [], [], []
    shown: list[str] = []
    missing: list[str] = []
    left: list[str] = []
    html = page.relpath.endswith(".html")
    for key, value in params.items():
        if value in (None, "", [], {}) or key in skip:
            continue
        pictures = pictures_of(value) if key.lower() in PICTURE_LISTS or isinstance(value, list) else None
        if pictures is not None and (key.lower() in PICTURE_LISTS or len(pictures) > 1):
            md, lost = gallery(pictures, static, folder, plain=html)
            missing += lost
            if md:
                page.body = page.body.rstrip("\n") + "\n\n" + (for_html(md) if html else md)
                shown.append(key)
                continue
        table_md = as_markdown(value, static, "", plain=html) if isinstance(value, (list, dict)) else None
        if table_md is not None:
            table_md = f"## {_esc(_heading(key))}\n\n" + table_md
            page.body = page.body.rstrip("\n") + "\n\n" + (for_html(table_md) if html else table_md)
            shown.append(key)
        else:
            left.append(key)
    return shown, missing, left


SETTING_FIXES = (
    (("analytics", "gtag", "tag_manager", "tracking", "pixel", "matomo"),
     "add the tracking in a template of templates/ if the client still wants it (with the consent it needs)"),
    (("phone", "email", "mail", "address", "hours", "opening", "social", "instagram", "facebook", "twitter", "github",
      "linkedin", "youtube"),
     "put it in site.toml's [business] (phone, email, address, hours, socials), which the theme shows"),
)
SETTING_FIX = ("the built-in theme has no such setting: put what visitors should see into a page, or use it in "
               "a template of templates/")


def setting_fix(key: str) -> str:
    low = key.lower()
    for words, fix in SETTING_FIXES:
        if any(w in low for w in words):
            return fix
    return SETTING_FIX


def leaves(value: object, prefix: str) -> list[str]:
    """The dotted keys of a nested mapping's values ('params.logo.mobile')."""
    if isinstance(value, dict) and value:
        out: list[str] = []
        for k, v in value.items():
            out += leaves(v, f"{prefix}.{k}")
        return out
    return [prefix]


def report_settings(imp, src: str, settings: dict, prefix: str, used: set[str]) -> None:
    """One report line per setting of the old theme the import did not use, by key."""
    for key, value in settings.items():
        if str(key).lower() in used or value in (None, "", [], {}):
            continue
        inner = leaves(value, f"{prefix}{key}")
        shown = ", ".join(inner[:6]) + (f" and {len(inner) - 6} more" if len(inner) > 6 else "")
        imp.note(src, None, f"the old theme's setting `{prefix}{key}` ({shown}) is not carried over",
                 setting_fix(str(key)))


def report_fields(imp, fields: dict[str, list[str]]) -> None:
    """One report line per theme-only front-matter field, with the pages that have it."""
    for key, origins in sorted(fields.items()):
        more = f" and {len(origins) - 1} more page{'s' if len(origins) > 2 else ''} ({', '.join(origins[1:4])}" \
            + (", …)" if len(origins) > 4 else ")") if len(origins) > 1 else ""
        imp.note(origins[0], None, f"front-matter field `{key}`{more}: kept under `params`, which the built-in theme "
                 "does not show", f"put it into the page's text, or show it from a template (page.params.{key})")


def markdown_for(data: dict[str, DataFile], refs, static: set[str], origin: str, headings: bool,
                 plain: bool = False) -> str:
    """The Markdown of the data ``refs`` name (tables, team and price blocks), each data file
    marked as shown on ``origin``; '' when none of them is a list of records."""
    parts = []
    for ref in sorted(refs):
        found = resolve(data, ref)
        if found is None:
            continue
        md = as_markdown(found[1], static, plain=plain)
        if md is None:
            continue
        for name, item in data.items():
            if name == ref or name.startswith(ref + ".") or ref.startswith(name + "."):
                item.shown_on.append(origin)
        title = ref.rsplit(".", 1)[-1]
        parts.append((f"## {_esc(_heading(title))}\n\n" if headings else "") + md)
    return "\n".join(parts)


def report_data(imp, data: dict[str, DataFile], skip: frozenset[str] = frozenset()) -> None:
    """Each data file: where it was shown, or that no page shows it and what to do."""
    for item in data.values():
        if item.name in skip:
            continue
        if item.shown_on:
            imp.note(item.src, None, f"shown on {', '.join(dict.fromkeys(item.shown_on))} as a table (the old theme "
                     "drew it from this data file)", "check it there, and edit it there from now on")
            continue
        rows = as_markdown(item.value, set()) is not None
        keys = " ".join(str(k) for k in item.value) if isinstance(item.value, dict) else ""
        fix = setting_fix(f"{item.name} {keys}")
        if rows and fix == SETTING_FIX:
            fix = ("show it where it belongs: a Markdown table in that page's text (one row per record), or a "
                   "`::: team` / `::: prices` block (docs/blocks.md)")
        imp.note(item.src, None, f"data file `{item.name}` ({describe(item.value)}) is not shown on any page: the old "
                 "theme drew it, and no page the import could tell showed it", fix)


def rooted(value, static: set[str], folder: str):
    """A relative picture path in front matter as the old theme resolved it (in the page's
    bundle, else from static/'s root): a path from the site's root, which the new site serves."""
    if isinstance(value, dict):
        return {k: rooted(v, static, folder) for k, v in value.items()}
    if isinstance(value, list):
        return [rooted(v, static, folder) for v in value]
    if isinstance(value, str) and not re.match(r"^(?:[a-z]+:|/|#)", value) and value.lower().endswith(IMAGE_EXT):
        return site_image(value, static, folder) or value
    return value


_ICON_KEY_RE = re.compile(r"(?:^|_)icons?$", re.I)


def icon_classes(value, found: list[str]):
    """An `icon: fas fa-leaf` (an icon font's class, not a picture) as `icon_class`, so that it
    is not taken for a picture's path; the values renamed are added to ``found``."""
    if isinstance(value, list):
        return [icon_classes(v, found) for v in value]
    if not isinstance(value, dict):
        return value
    out = {}
    for k, v in value.items():
        if isinstance(v, str) and _ICON_KEY_RE.search(str(k)) and v.strip() and not re.search(r"[/.:]", v):
            found.append(v)
            out[f"{k}_class"] = v
        else:
            out[k] = icon_classes(v, found)
    return out


def fit_params(imp, page, static: set[str], folder: str) -> None:
    """Picture paths in `params` from the site's root, icon-font classes out of picture fields."""
    if not isinstance(page.meta.get("params"), dict):
        return
    found: list[str] = []
    page.meta["params"] = icon_classes(rooted(page.meta["params"], static, folder), found)
    if found:
        imp.note(page.origin, None, f"{len(found)} icon-font classes ({', '.join(dict.fromkeys(found[:3]))}"
                 f"{', …' if len(found) > 3 else ''}) are kept as `icon_class` under `params` (they are no pictures)",
                 "nothing to do, unless a template of templates/ shows them")
