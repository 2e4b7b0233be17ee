"""CLI commands of the deploy side: publish and trust."""
from __future__ import annotations

import typer


def publish_command(client: str = typer.Argument(...)):
    """Build, plan and deploy a client's site."""
    raise typer.Exit(1)


def trust_command(client: str = typer.Argument(...)):
    """Connect once, show the SSH host key fingerprint and pin it in site.toml."""
    raise typer.Exit(1)
