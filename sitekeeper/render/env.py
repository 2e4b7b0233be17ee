"""The one Jinja2 environment factory, for site and email templates alike: the client's
templates/ over a built-in set (the site theme by default).

Autoescape on, StrictUndefined: a template that uses a name the context does not
have fails loudly with the template's name and line instead of printing nothing.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

THEME_DIR = Path(__file__).parent / "templates"
ASSETS_DIR = Path(__file__).parent / "assets"


def template_dirs(site_templates: Path, builtin: Path = THEME_DIR) -> list[Path]:
    dirs = [site_templates] if site_templates.is_dir() else []
    return dirs + [builtin]


def templates_fingerprint(site_templates: Path) -> str:
    """Hash of every template file that can be used, for the incremental build."""
    h = hashlib.blake2b(digest_size=16)
    for folder in template_dirs(site_templates):
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                h.update(path.relative_to(folder).as_posix().encode())
                h.update(path.read_bytes())
    return h.hexdigest()


def page_templates(site_templates: Path) -> list[str]:
    """Names a page may ask for with `template:`."""
    names = set()
    for folder in template_dirs(site_templates):
        for path in folder.glob("*.html"):
            if path.name not in ("base.html",):
                names.add(path.name)
    return sorted(names)


def make_env(site_templates: Path, bytecode_dir: Path | None = None, *, builtin: Path = THEME_DIR,
             keep_trailing_newline: bool = True):
    """An environment over ``site_templates`` (if it exists) then ``builtin``."""
    import jinja2

    bytecode_cache = None
    if bytecode_dir is not None:
        # Compiled templates survive between runs: a one-page edit does not recompile the theme.
        bytecode_dir.mkdir(parents=True, exist_ok=True)
        bytecode_cache = jinja2.FileSystemBytecodeCache(str(bytecode_dir))
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(d) for d in template_dirs(site_templates, builtin)]),
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=keep_trailing_newline,
        # One build renders with one set of templates: without this every {% include %}
        # stats its file again (ten per page in the theme).
        auto_reload=False,
        bytecode_cache=bytecode_cache,
    )
    from ..locale.cldr import direction, list_separator
    env.globals["text_direction"] = direction  # `rtl` for ar/he/…: the theme's <html dir>
    env.globals["list_separator"] = list_separator  # `, ` / `、` / ` و` between the items of a list
    return env
