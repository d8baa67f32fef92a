"""The `dockyard` command: each sub-command lives in its own module and is registered here.

Exit codes (documented in README.md): 0 success; 1 unexpected failure; 2 bad input, spec or config;
3 build failed; 4 registry error; 5 execution failed; 6 blob store error; 130 interrupted (Ctrl-C).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
import typer
from rich.console import Console
from rich.markup import escape

from dockyard.errors import DockyardError

app = typer.Typer(
    no_args_is_help=True, add_completion=False, help="Build images for ML workflows and run them."
)
err_console = Console(stderr=True)


def _version(value: bool) -> None:
    if value:
        from dockyard.version import __version__

        typer.echo(f"dockyard {__version__}")
        raise typer.Exit()


@app.callback()
def _global(
    config: Path | None = typer.Option(
        None, "-c", "--config", help="Settings file to use instead of ./dockyard.toml.", show_default=False
    ),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Build images for ML workflows and run them."""
    if config is not None:  # an environment variable, so a detached driver or a child process sees it too
        os.environ["DOCKYARD_CONFIG"] = str(config.resolve())


from dockyard.cli import build as build_cli  # noqa: E402
from dockyard.cli import cache, console, executions, run  # noqa: E402  (each command module registers itself below)
from dockyard.cli import flyte as flyte_cli  # noqa: E402
from dockyard.cli import imagespec as imagespec_cli  # noqa: E402
from dockyard.cli import lock as lock_cli  # noqa: E402
from dockyard.cli import register as register_cli  # noqa: E402

app.add_typer(executions.app)  # executions, status, logs, outputs
app.add_typer(register_cli.app)  # serialize, register
app.add_typer(run.app)  # run
app.add_typer(cache.app)  # cache clear
app.add_typer(build_cli.app)  # build, exists
app.add_typer(imagespec_cli.app)  # render, explain
app.add_typer(lock_cli.app)  # lock
app.add_typer(console.app)  # console
app.add_typer(flyte_cli.app)  # package


def main() -> None:
    """Run the CLI, turning every DockyardError into one line and its exit code."""
    try:
        from dockyard.private_dirs import sweep

        sweep()  # secrets folders of dockyard processes that were killed before they could remove them
        result = app(standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:  # usage errors: bad flags, missing arguments
        exc.show()
        sys.exit(2)
    except (click.exceptions.Abort, KeyboardInterrupt):
        err_console.print("[red]interrupted[/red]")
        sys.exit(130)
    except DockyardError as exc:
        err_console.print(f"[red]error:[/red] {escape(str(exc))}", highlight=False, soft_wrap=True)
        sys.exit(exc.exit_code)
    if result == 130:  # typer turns Ctrl-C into a returned 130
        err_console.print("[red]interrupted[/red]")
    sys.exit(result if isinstance(result, int) else 0)
