"""Files: the theme's and the client's CSS/JS under fingerprinted names, static files as
they are (raster images the site shows also as WebP variants for srcset, see shown.py), and
the favicons."""
from __future__ import annotations

from typing import Any

from ...config import SiteConfig
from ...render.colors import on_color
from ..sources import SiteContent
from ..writer import content_hash
from .context import PlanContext
from .jobs import BytesJob, CopyJob, IconJob, ImageJob, JoinJob, Output, fingerprint
from .shown import shown_images

STYLE_LAYERS = "styles"
"""The theme's folder of style layers: styles/<style>.css follows style.css for that style."""

VARIANT_WIDTHS = (480, 960, 1600)
"""Widths of the WebP variants made of each larger static image."""


def image_variants(rel: str, width: int) -> list[tuple[int, str]]:
    """(width, output path) of the WebP variants of a static image ``rel`` that is ``width`` wide:
    every VARIANT_WIDTHS narrower than it, and one at its own width."""
    stem = rel.rsplit(".", 1)[0]
    widths = [w for w in VARIANT_WIDTHS if w < width] + [width]
    return [(w, f"{stem}.{w}w.webp") for w in widths]


def static_url(value: str | None) -> str | None:
    """The URL of a file named in site.toml as `static/logo.svg` (or `logo.svg`)."""
    if not value:
        return None
    return "/" + value[len("static/"):] if value.startswith("static/") else "/" + value


def assets(ctx: PlanContext) -> dict[str, str]:
    """Theme assets and the client's own CSS/JS, under fingerprinted names: rel -> URL."""
    content = ctx.content
    asset_urls: dict[str, str] = {}
    asset_files = list(content.assets) + [(rel, path) for rel, path in content.static
                                          if rel.endswith((".css", ".js"))]
    layers = dict(content.assets)
    style_layer = layers.get(f"{STYLE_LAYERS}/{ctx.cfg.theme.style}.css")
    for rel, path in asset_files:
        if path is layers.get(rel) and rel.startswith(STYLE_LAYERS + "/"):
            continue  # a style's layer reaches the page inside style.css, never on its own
        sha = content.file_sha[path]
        job: CopyJob | JoinJob = CopyJob(path)
        if rel == "style.css" and path is layers.get(rel) and style_layer is not None:
            # One stylesheet request per page: the base, then the chosen style's layer.
            sha = fingerprint("style", sha, content.file_sha[style_layer])
            job = JoinJob((path, style_layer))
        stem, _dot, ext = rel.rpartition(".")
        out_rel = f"assets/{stem}.{sha[:10]}.{ext}"
        asset_urls[rel] = "/" + out_rel
        ctx.add(Output(out_rel, sha, "asset", str(path), job))
    return asset_urls


def static(ctx: PlanContext) -> dict[str, tuple[Any, ...]]:
    """Static files, copied as they are; raster images the site shows also as WebP variants for
    srcset. Every raster image is in the map with its size; one that nothing shows has no variants."""
    content = ctx.content
    file_sha = content.file_sha
    images: dict[str, tuple[Any, ...]] = {}
    static_paths = dict(content.static)
    for rel, path in content.static:
        ctx.add(Output(rel, file_sha[path], "static", f"{content.static_rel}/{rel}", CopyJob(path)))
    large = [rel for rel, (width, _height) in content.image_sizes.items() if width > VARIANT_WIDTHS[0]]
    shown = shown_images(ctx.cfg, content, large)
    for rel, (width, height) in content.image_sizes.items():
        path = static_paths[rel]
        variants = []
        # A small image is sent as it is (with its size); a larger one the site shows also in
        # narrower WebP variants.
        for w, out_rel in (image_variants(rel, width) if rel in shown else ()):
            if out_rel in ctx.outputs:  # the client's own file wins
                continue
            ctx.add(Output(out_rel, fingerprint("variant", file_sha[path], w), "static",
                           f"{content.static_rel}/{rel}", ImageJob(path, w)))
            variants.append((w, "/" + out_rel))
        images["/" + rel] = (width, height, tuple(variants))
    return images


def favicons(ctx: PlanContext) -> dict[str, str | None]:
    """Favicon outputs (PNG sizes, an SVG when there is no logo to use, the web manifest);
    the URLs the page head links to."""
    from ...render import icons

    cfg: SiteConfig = ctx.cfg
    content: SiteContent = ctx.content
    theme = cfg.theme
    logo = cfg.root / theme.logo if theme.logo else None
    png_logo = None
    if logo is not None:
        png_logo = logo if logo.suffix.lower() in (".png", ".jpg", ".jpeg", ".webp") else logo.with_suffix(".png")
        if not png_logo.is_file():
            png_logo = None
    svg_url = static_url(theme.logo) if logo is not None and logo.suffix.lower() == ".svg" else None
    logo_sha = content.file_sha.get(png_logo) if png_logo is not None else None
    if png_logo is not None and logo_sha is None:
        logo_sha = content_hash(png_logo.read_bytes())
    for name, size in icons.SIZES.items():
        ctx.add(Output(name, fingerprint("icon", size, logo_sha, cfg.name, theme.primary_color, theme.font), "icon", cfg.path,
                       IconJob(size, png_logo)))
    if svg_url is None and png_logo is None:
        data = icons.initials_svg(cfg.name, theme.primary_color, on_color(theme.primary_color), theme.font)
        ctx.add(Output("favicon.svg", content_hash(data), "icon", cfg.path, BytesJob(data)))
        svg_url = "/favicon.svg"
    data = icons.manifest(cfg.name, cfg.name.split()[0], "/", theme.primary_color, cfg.default_language, svg_url)
    ctx.add(Output("site.webmanifest", content_hash(data), "icon", cfg.path, BytesJob(data)))
    return {"icon_svg": svg_url, "icon_png": "/icon-192.png", "apple_touch_icon": "/apple-touch-icon.png",
            "manifest_url": "/site.webmanifest"}
