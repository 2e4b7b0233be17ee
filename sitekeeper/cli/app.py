"""The sitekeeper command line (typer): the application and its commands.

The commands live in site.py (check, build, serve), publish.py (publish, trust), preview.py,
campaign.py (the campaign sub-app), suppressions.py (unsubscribe, suppressions pull),
status.py (status, report) and agenda.py (calendar).
Each parses its options, calls one core function and hands the result to a reporter.
Vendor SDKs (paramiko, boto3, mjml, imaplib) and the renderers are imported inside the
commands that need them, so ``sitekeeper --help`` stays fast.
"""
from __future__ import annotations

from typing import Any

import typer

from .campaign import campaign_app
from .agenda import calendar_command
from .importing import import_command
from .new import new_app
from .preview import preview_command
from .publish import publish_command, trust_command
from .schedule import ci_init_command, tick_command
from .site import build_command, check_command, serve_command
from .status import report_command, status_command
from .suppressions import mailbox_app, suppressions_app, unsubscribe_command

app = typer.Typer(
    name="sitekeeper",
    help="Keep many small-business websites and their promotions from one git repo: "
    "Markdown -> static sites, deployed over SFTP or to S3, promotions -> site banners and email campaigns.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        from .. import __version__

        typer.echo(f"sitekeeper {__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="Print the version and exit."),
          # Read by the entry point wherever they stand on the line; listed here for --help.
          quiet: bool = typer.Option(False, "--quiet", "-q", help="Only results and problems (any command)."),
          verbose: bool = typer.Option(False, "--verbose", "-v", help="Also the details, e.g. each skipped row (any command)."),
          debug: bool = typer.Option(False, "--debug", help="Show tracebacks and vendor logs (any command).")) -> None:
    """Keep many small-business websites and their promotions from one git repo: Markdown -> static
    sites, deployed over SFTP or to S3, promotions -> site banners and email campaigns."""


app.command("check")(check_command)
app.command("build")(build_command)
app.command("serve")(serve_command)
app.command("publish")(publish_command)
app.command("trust")(trust_command)
app.command("preview")(preview_command)
app.add_typer(campaign_app, name="campaign")
app.command("tick")(tick_command)
app.command("status")(status_command)
app.command("report")(report_command)
app.command("calendar")(calendar_command)
ci_app = typer.Typer(help="CI workflows that publish on commit and run tick on a schedule.", no_args_is_help=True)
ci_app.command("init")(ci_init_command)
app.add_typer(ci_app, name="ci")
app.command("import")(import_command)
app.add_typer(new_app, name="new")
app.command("unsubscribe")(unsubscribe_command)
app.add_typer(suppressions_app, name="suppressions")
app.add_typer(mailbox_app, name="mailbox")


def main() -> None:
    """Run the app; click's own usage errors (a missing argument, an unknown option, a value of the
    wrong kind) are shown as click shows them and, with --json, end stdout with the result object."""
    import sys

    # click's exception classes, whether typer uses click or its own copy of it (0.28)
    found: list[Any] = [next(c for c in typer.BadParameter.__mro__ if c.__name__ == name)
                        for name in ("UsageError", "ClickException")]
    usage_error, click_exception = found
    try:
        rv = app(standalone_mode=False, prog_name="sitekeeper")
    except usage_error as exc:
        exc.show()
        if _wants_json(sys.argv[1:]):
            _json_usage_result(exc)
        sys.exit(exc.exit_code)
    except click_exception as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except typer.Abort:
        print("Aborted!", file=sys.stderr)
        sys.exit(1)
    # a command ends by returning (0) or with typer.Exit(code), which arrives here as the code
    sys.exit(rv if isinstance(rv, int) and not isinstance(rv, bool) else 0)


def _wants_json(args: list[str]) -> bool:
    return "--json" in (args[:args.index("--")] if "--" in args else args)


def _json_usage_result(exc) -> None:
    import json

    from ..errors import Diagnostic

    where = getattr(exc, "option_name", None) or ""  # No such option: the option itself
    param = getattr(exc, "param", None)
    if not where and param is not None and exc.ctx is not None:
        where = param.get_error_hint(exc.ctx)  # '--port' or 'CLIENT', as click's message names it
    elif not where and getattr(exc, "param_hint", None):
        where = exc.param_hint
    command = exc.ctx.command_path if exc.ctx is not None else "sitekeeper"
    problem = Diagnostic(str(where).replace("'", "") or command, None, exc.format_message(),
                         f"see `{command} --help`")
    print(json.dumps({"ok": False, "problems": [problem.as_json()]}, ensure_ascii=False))
