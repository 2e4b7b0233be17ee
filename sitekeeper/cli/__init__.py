"""The command line: every typer and rich-table user lives in this package.

``app`` is the typer application, ``main`` runs it (``sitekeeper.entry`` calls it for
everything its fast path does not handle).
"""
from .app import app, main

__all__ = ["app", "main"]
