"""`dockyard package`: the FlyteIDL archive of modules' tasks, workflows and launch plans, as
`pyflyte package` writes it (docs/flyte.md); `serialize --format flyteidl` and `register --flyte` use it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console

from dockyard.errors import ConfigError

if TYPE_CHECKING:
    from dockyard.flyte.package import Package

app = typer.Typer()
console = Console(stderr=True)


def build_package(targets: list[str], image: str | None, fast: bool = False) -> Package:
    """Import the targets and build their documents (flyteidl is imported only here, lazily)."""
    try:
        from dockyard.flyte import package
    except ImportError as exc:  # the [flyte] extra is missing
        raise ConfigError(f"FlyteIDL needs the flyte extra (pip install 'dockyard[flyte]'): {exc}") from None
    from dockyard.config import get_settings
    from dockyard.sdk.project import load_modules

    modules = load_modules(targets)
    return package.build(modules, image, get_settings().build, fast=fast)


@app.command()
def package(
    targets: list[str] = typer.Argument(..., help="Python files, package folders or dotted package names."),
    output: Path = typer.Option(Path("flyte-package.tgz"), "--output", "-o", help="The archive to write."),
    image: str | None = typer.Option(
        None, "--image", help="Image of tasks that name none (default: dockyard's default image)."
    ),
    fast: bool = typer.Option(False, "--fast", help="Add the code archive for fast registration."),
) -> None:
    """Write the TaskSpec, WorkflowSpec and LaunchPlan documents that `flytectl register files` takes."""
    pkg = build_package(targets, image, fast)
    extra = []
    if fast:
        from dockyard.flyte.fast import code_archive

        extra.append(code_archive(targets))
    pkg.write_archive(output, extra)
    console.print(f"packaged {len(pkg.documents)} documents into {output}")


def serialize_flyteidl(targets: list[str], folder: Path, image: str | None) -> None:
    """`dockyard serialize --format flyteidl -f DIR`: the same documents, one file each, in DIR."""
    pkg = build_package(targets, image)
    pkg.write_dir(folder)
    console.print(f"wrote {len(pkg.documents)} documents to {folder}")


def register_flyte(
    targets: list[str],
    where: tuple[str, str, str, str | None],
    image: str | None,
    *,
    insecure: bool,
    activate: bool,
) -> None:
    """`dockyard register --flyte ENDPOINT`: package with fast registration, upload, create the entities."""
    endpoint, project, domain, version = where
    pkg = build_package(targets, image, fast=True)
    from dockyard.flyte import admin
    from dockyard.flyte.fast import code_archive

    archive = code_archive(targets)
    target = admin.Target(
        admin.check_endpoint(endpoint),
        project,
        domain,
        version or admin.default_version(pkg, archive),
        insecure,
    )
    done = admin.register(pkg, target, archive=archive, activate=activate)
    console.print(f"registered {len(done)} entities in {project}/{domain} version {target.version}")
    print(target.version)
