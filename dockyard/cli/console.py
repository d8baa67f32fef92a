"""`dockyard console`: serve the web console (dockyard.console) over a store's records."""

from __future__ import annotations

import ipaddress

import typer
from rich.console import Console

from dockyard.errors import ConfigError

app = typer.Typer()
err_console = Console(stderr=True)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@app.command()
def console(
    host: str = typer.Option(
        "127.0.0.1", "--host", help="Address to bind; elsewhere than loopback needs a token."
    ),
    port: int = typer.Option(8080, "--port", help="Port to listen on."),
    store: str | None = typer.Option(None, "--store", help="Blob store URL (default: settings store.url)."),
) -> None:
    """Serve the web console: executions, their DAG, logs, images and launch plans, in the browser."""
    try:
        import uvicorn

        from dockyard.console.app import create_app
    except ImportError as exc:
        raise ConfigError(
            f"the console needs the [console] extra (pip install 'dockyard[console]'): {exc}"
        ) from None
    from dockyard.config import get_settings
    from dockyard.runtime.blobstore import open_store

    settings = get_settings()
    if not is_loopback(host) and not settings.console.token:
        raise ConfigError(
            f"--host {host}: binding elsewhere than loopback needs console.token (DOCKYARD_CONSOLE_TOKEN)"
        )
    blobs = open_store(store, settings)
    err_console.print(f"dockyard console on http://{host}:{port}/ over {blobs.url}", highlight=False)
    uvicorn.run(create_app(blobs, settings), host=host, port=port, log_level="warning")
