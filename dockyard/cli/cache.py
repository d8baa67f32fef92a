"""`dockyard cache clear`: empty the local task cache (all of it, or one task's entries)."""

from __future__ import annotations

from pathlib import Path

import typer

app = typer.Typer()
cache_app = typer.Typer(no_args_is_help=True, help="Manage the local task cache.")
app.add_typer(cache_app, name="cache")


@cache_app.command("clear")
def clear(
    task: str | None = typer.Option(
        None, "--task", help="Only this task's entries (its full name, module.task)."
    ),
    path: Path | None = typer.Option(None, "--path", help="Cache database (default: settings cache.path)."),
) -> None:
    """Delete cached task outputs, so the next run executes the tasks again."""
    from dockyard.sdk.cache import clear as clear_cache

    removed = clear_cache(task, path)
    typer.echo(f"removed {removed} cached {'entry' if removed == 1 else 'entries'}")
