"""The `dockyard` command: each sub-command lives in its own module and is registered here.

Exit codes (documented in README.md): 0 success; 1 unexpected failure; 2 bad input, spec or config;
3 build failed; 4 registry error; 5 execution failed; 6 blob store error; 130 interrupted (Ctrl-C).
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path

import click
import typer
from typer.core import TyperGroup

from dockyard.errors import DockyardError

# command -> the module under dockyard.cli whose `app` defines it, in the order `--help` lists them. A
# command's module is imported when that command runs (or `--help` lists them all), so `dockyard status`
# does not pay for the imports of `build` or `console` (tests/cli/test_cli_start.py checks this map).
COMMANDS: dict[str, str] = {
    "executions": "executions",
    "status": "executions",
    "logs": "executions",
    "outputs": "executions",
    "serialize": "register",
    "register": "register",
    "schedules": "register",
    "run": "run",
    "cache": "cache",
    "build": "build",
    "exists": "build",
    "render": "imagespec",
    "explain": "imagespec",
    "lock": "lock",
    "console": "console",
    "package": "flyte",
}


class _LazyGroup(TyperGroup):
    """The top-level group: each command's module is imported on first use (`COMMANDS`)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            module = importlib.import_module(f"dockyard.cli.{COMMANDS[cmd_name]}")
            self.commands.update(typer.main.get_group(module.app).commands)
        return self.commands.get(cmd_name)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        if args and args[0] not in COMMANDS:  # an unknown command: suggestions need every name
            for name in COMMANDS:
                self.get_command(ctx, name)
        return super().resolve_command(ctx, args)


app = typer.Typer(
    cls=_LazyGroup,
    no_args_is_help=True,
    add_completion=False,
    help="Build images for ML workflows and run them.",
)


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
        _err("[red]interrupted[/red]")
        sys.exit(130)
    except DockyardError as exc:
        from rich.markup import escape

        _err(f"[red]error:[/red] {escape(str(exc))}")
        sys.exit(exc.exit_code)
    if result == 130:  # typer turns Ctrl-C into a returned 130
        _err("[red]interrupted[/red]")
    sys.exit(result if isinstance(result, int) else 0)


def _err(markup: str) -> None:
    """One line on stderr (rich is imported only when there is something to say)."""
    from rich.console import Console

    Console(stderr=True).print(markup, highlight=False, soft_wrap=True)
