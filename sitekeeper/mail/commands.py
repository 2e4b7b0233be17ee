"""CLI commands of the mail side: sitekeeper campaign ..."""
from __future__ import annotations

import typer

campaign_app = typer.Typer(help="Promotions as email: list, preview, test, approve.", no_args_is_help=True)
