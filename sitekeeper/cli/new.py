"""`sitekeeper new client|page|promotion`: scaffolds that pass `check` and never overwrite."""
from __future__ import annotations

import sys
from typing import Optional

import typer

from .common import USAGE, AT_OPTION, JSON_OPTION, complete_client, fail, open_context, run_command

new_app = typer.Typer(help="Scaffold a client, a page or a promotion (never overwrites).", no_args_is_help=True,
                      rich_markup_mode=None)


def _ask(label: str, default: str, given: Optional[str], interactive: bool, took: dict) -> str:
    """The option's value, else the answer (in a terminal), else the default (recorded in ``took``)."""
    if given is not None:
        return given
    if not interactive:
        took[_OPTION_OF[label]] = default
        return default
    return typer.prompt(label, default=default)


_OPTION_OF = {"Business name": "--name", "Site address": "--base-url", "Languages (default first)": "--languages",
              "Timezone": "--timezone", "Business type (schema.org)": "--business-type", "Email address": "--email",
              "Postal address (for emails)": "--postal-address"}


@new_app.command("client")
@run_command
def new_client(
    name: str = typer.Argument(..., help="The client's folder name (lowercase letters, digits, -)."),
    display_name: Optional[str] = typer.Option(None, "--name", help="The business name (default: from NAME)."),
    base_url: Optional[str] = typer.Option(None, "--base-url", help="The site's address, e.g. https://www.example.com."),
    languages: Optional[str] = typer.Option(None, "--languages", help="Comma-separated, the default first: de,en."),
    timezone: Optional[str] = typer.Option(None, "--timezone", help="IANA zone, e.g. Europe/Berlin."),
    business_type: Optional[str] = typer.Option(None, "--business-type", help="schema.org type, e.g. Bakery, Dentist."),
    email: Optional[str] = typer.Option(None, "--email", help="The business's email address (sender of promotions)."),
    postal_address: Optional[str] = typer.Option(None, "--postal-address", help="Goes into every email; with --email it "
                                                 "writes [mail]."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Ask nothing: the defaults for what no option gives."),
    json_output: bool = JSON_OPTION,
):
    """A new client: sites/NAME/site.toml and a home page per language. Asks for what no
    option gives (with defaults) when run in a terminal."""
    from ..scaffold import ClientSettings, plan_client, planned_problems, validate_client, write_new

    ctx = open_context(json_output)
    interactive = not yes and not json_output and sys.stdin.isatty()
    shown = name.replace("-", " ").title()
    took: dict[str, str] = {}
    s = ClientSettings(
        client=name,
        name=_ask("Business name", shown, display_name, interactive, took),
        base_url=_ask("Site address", f"https://www.{name}.example", base_url, interactive, took),
        languages=tuple(lg.strip() for lg in _ask("Languages (default first)", "en", languages, interactive,
                                                  took).split(",") if lg.strip()),
        timezone=_ask("Timezone", "Europe/Berlin", timezone, interactive, took),
        business_type=_ask("Business type (schema.org)", "LocalBusiness", business_type, interactive, took),
        email=_ask("Email address", "", email, interactive, took),
        postal_address=_ask("Postal address (for emails)", "", postal_address, interactive, took),
    )
    problems = validate_client(s)
    if problems:  # option values: the command line is wrong, nothing was read
        fail(ctx.reporter, problems, USAGE)
    files = plan_client(s)
    problems = planned_problems(ctx.ws, s, files)
    if problems:
        fail(ctx.reporter, problems, USAGE)
    if took:  # a script's log shows what it got without asking
        why = "--yes" if yes else "--json" if json_output else "not a terminal"
        ctx.reporter.info(f"new client {name}: {why}, so it took the defaults "
                          + ", ".join(f"{k} {v}" if v else f"{k} (none)" for k, v in took.items())
                          + "; give those options to choose", defaults=took)
    written = write_new(ctx.ws, files)
    _done(ctx, written, f"new client {name}: {', '.join(written)}; next: `sitekeeper check {name}`")


@new_app.command("page")
@run_command
def new_page(
    client: str = typer.Argument(..., help="The client.", autocompletion=complete_client),
    path: str = typer.Argument(..., help="The page's path under content/, e.g. leistungen/beratung."),
    lang: Optional[str] = typer.Option(None, "--lang", help="Its language (default: the site's default)."),
    title: Optional[str] = typer.Option(None, "--title", help="Its title (default: from the path)."),
    json_output: bool = JSON_OPTION,
):
    """A new page: content/PATH.md (PATH.LANG.md with --lang)."""
    from ..scaffold import page_problems, plan_page, write_new

    ctx = open_context(json_output)
    problems = page_problems(path, title)
    if problems:
        fail(ctx.reporter, problems, USAGE)
    written = write_new(ctx.ws, plan_page(ctx.ws, client, path, lang, title))
    _done(ctx, written, f"new page: {written[0]}")


@new_app.command("promotion")
@run_command
def new_promotion(
    client: str = typer.Argument(..., help="The client.", autocompletion=complete_client),
    slug: str = typer.Argument(..., help="The promotion's name in URLs, e.g. spring-sale."),
    starts: str = typer.Option(..., "--starts", help="When it starts (site timezone), e.g. 2026-03-01 08:00."),
    ends: str = typer.Option(..., "--ends", help="When it is gone (exclusive), e.g. 2026-03-15."),
    title: Optional[str] = typer.Option(None, "--title", help="Its title (default: from the slug)."),
    json_output: bool = JSON_OPTION,
    at: Optional[str] = AT_OPTION,
):
    """A new promotion: campaigns/CLIENT/SLUG.md, not approved. Its email is due an hour into the
    window; when the window has begun already, an hour from now (a window that has ended, or ends
    within that hour, is refused); in a window of an hour or less, at its start."""
    from ..config import load_site
    from ..errors import ProblemsError
    from ..scaffold import plan_promotion, promotion_problems, write_new

    ctx = open_context(json_output, at)
    problems = promotion_problems(slug, starts, ends, title)
    if problems:
        fail(ctx.reporter, problems, USAGE)
    ctx.ws.require_client(client)
    cfg = load_site(ctx.ws, client)
    try:
        files = plan_promotion(ctx.ws, client, slug, starts, ends, title, ctx.clock.now(cfg.tz))
    except ProblemsError as exc:
        # a window in the past is the command line's; [mail] missing is the config's
        fail(ctx.reporter, exc.problems, USAGE if all(d.path.startswith("--") for d in exc.problems) else 1)
    written = write_new(ctx.ws, files)
    _done(ctx, written, f"new promotion: {written[0]} (approved: false; "
                        f"`sitekeeper campaign approve {client}/{slug} --by NAME` once the client agrees)")


def _done(ctx, written, message: str) -> None:
    ctx.reporter.result({"ok": True, "written": written})
    ctx.reporter.output(message)
