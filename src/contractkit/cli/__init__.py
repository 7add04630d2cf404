"""The ``contractkit`` command line: one module per command, each only parsing options.

Only this package ends the process (through typer/click); the library returns values.
"""

from __future__ import annotations

import typer

from contractkit.cli.bundle import bundle_command
from contractkit.cli.diff import diff_command
from contractkit.cli.exit_codes import ExitCode
from contractkit.cli.lint import lint_command
from contractkit.cli.pacts import can_i_deploy_command, pacts_app
from contractkit.cli.validate import validate
from contractkit.cli.verify import verify_command

app = typer.Typer(
    name="contractkit",
    help="Check, bundle and verify the data services' OpenAPI contracts.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
)
app.command("validate")(validate)
app.command("bundle")(bundle_command)
app.command("verify")(verify_command)
app.command("diff")(diff_command)
app.command("lint")(lint_command)
app.command("can-i-deploy")(can_i_deploy_command)
app.add_typer(pacts_app)


def main() -> None:
    """Console-script entry point (``contractkit = "contractkit.cli:main"``)."""
    app()


__all__ = ["ExitCode", "app", "main"]
