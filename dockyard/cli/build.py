"""`dockyard build` and `dockyard exists`: make images exist in the registry, or ask whether they do.

Specs come from YAML files or `file.py:variable`, through the same loader as `render` and `explain`.
Progress goes to stderr (only on a terminal), results to stdout, so `--output json` can be piped.
"""

from __future__ import annotations

import json
from contextlib import nullcontext
from enum import Enum
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn

from dockyard.config import get_settings
from dockyard.errors import SpecError

if TYPE_CHECKING:
    from dockyard.builders.engine import BuildEngine, BuildEvent
    from dockyard.imagespec import ImageSpec

app = typer.Typer()
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False)


class Output(str, Enum):
    text = "text"
    json = "json"


def _load(paths: list[str], *, platform: str | None, builder: str | None) -> dict[ImageSpec, str]:
    """Each spec with the argument it came from; flags override the specs' platform and builder."""
    from dockyard.imagespec import grammar
    from dockyard.imagespec.load import load_specs

    if platform is not None:
        try:
            grammar.platform(platform)
        except ValueError as exc:
            raise SpecError(f"--platform: {exc}") from None
    loaded: dict[ImageSpec, str] = {}
    for path in paths:
        for found in load_specs(path):
            loaded.setdefault(_override(found, platform=platform, builder=builder), path)
    return loaded


def _override(spec: ImageSpec, *, platform: str | None, builder: str | None) -> ImageSpec:
    changes: dict[str, Any] = {}
    if platform is not None:
        changes["platform"] = platform
    if builder is not None:
        changes["builder"] = builder
    # model_copy keeps the spec's base folder (relative paths); the platform was checked by the caller.
    return spec.model_copy(update=changes) if changes else spec


class _ProgressView:
    """One spinner line per image, showing the step it is on; silent when stderr is not a terminal."""

    def __init__(self) -> None:
        self.progress = Progress(
            SpinnerColumn(), TextColumn("{task.description}", markup=False), console=err, transient=True
        )
        self.tasks: dict[str, TaskID] = {}

    def __call__(self, event: BuildEvent) -> None:
        name = event.image.rsplit("/", 1)[-1]
        if event.image not in self.tasks:
            self.tasks[event.image] = self.progress.add_task(name)
        text = {
            "check": f"{name}: checking the registry",
            "present": f"{name}: present ({event.detail})",
            "build": f"{name}: building with {event.detail}",
            "step": f"{name}: {event.detail[:100]}",
            "built": f"{name}: built {event.detail}",
            "failed": f"{name}: failed",
        }[event.kind]
        self.progress.update(self.tasks[event.image], description=text)


def _kubernetes_manifests(spec: ImageSpec, engine: BuildEngine, *, push: bool) -> list[dict[str, Any]]:
    """What the kubernetes builder would create for this spec (secret values replaced by their source)."""
    from dockyard.kubernetes.builder import render_spec_manifests

    return render_spec_manifests([spec], engine.settings, push=push, lookup_digest=engine.lookup_digest)


@app.command()
def build(
    specs: list[str] = typer.Argument(..., help="Spec files: YAML, or `file.py:variable`."),
    push: bool = typer.Option(True, "--push/--no-push", help="Push to the registry (else load locally)."),
    force: bool = typer.Option(False, "--force", help="Build even when the registry has the tag."),
    platform: str | None = typer.Option(
        None, "--platform", help="Target platform(s), e.g. linux/amd64,linux/arm64."
    ),
    builder: str | None = typer.Option(None, "--builder", help="Builder plugin to use (overrides the spec)."),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Print the tags and whether they exist; build nothing."
    ),
    output: Output = typer.Option(Output.text, "--output", "-o", help="text or json."),
) -> None:
    """Build and push each spec's image unless the registry already has its content-hash tag."""
    from dockyard.builders.engine import BuildEngine  # the engine loads on use: other commands start fast

    loaded = _load(specs, platform=platform, builder=builder)
    view = _ProgressView()
    engine = BuildEngine(get_settings(), on_event=view if err.is_terminal else None)
    if dry_run:
        plan = engine.plan(loaded)
        rows: list[dict[str, object]] = []
        documents: list[dict[str, Any]] = []
        for spec, path in loaded.items():
            item = plan[spec]
            rows.append({"spec": path, "image": item.image, "state": item.state, "detail": item.detail})
            if (spec.builder or engine.settings.build.builder) == "kubernetes":
                rows[-1]["manifests"] = manifests = _kubernetes_manifests(spec, engine, push=push)
                documents += manifests
        if output is Output.json:
            typer.echo(json.dumps(rows, indent=2))
            return
        for planned in rows:
            out.print(f"{planned['spec']}  {planned['image']}  {planned['state']}", markup=False)
        if documents:
            from dockyard.kubernetes.naming import to_yaml

            typer.echo("---\n" + to_yaml(documents), nl=False)
        return
    with view.progress if err.is_terminal else nullcontext():
        outcomes = engine.ensure(loaded, push=push, force=force)
    results: list[dict[str, object]] = [
        {
            "spec": path,
            "image": outcomes[spec].image,
            "image_ref": outcomes[spec].image_ref,
            "digest": outcomes[spec].digest,
            "built": outcomes[spec].built,
            "source": outcomes[spec].source,
        }
        for spec, path in loaded.items()
    ]
    if output is Output.json:
        typer.echo(json.dumps(results, indent=2))
        return
    for row in results:
        state = "built" if row["built"] else f"present ({row['source']})"
        out.print(f"{row['spec']}  {row['image_ref']}  {state}", markup=False)


@app.command()
def exists(spec: str = typer.Argument(..., help="Spec file: YAML, or `file.py:variable`.")) -> None:
    """Print the spec's image reference; exit 0 if the registry has it, 1 if not, 4 if it cannot tell."""
    from dockyard.builders.engine import BuildEngine
    from dockyard.builders.registry import Present

    (loaded,) = _load([spec], platform=None, builder=None)
    engine = BuildEngine(get_settings())
    image = engine.image_reference(loaded)
    found = engine.presence(image, loaded.platforms, use_cache=False)
    if found.present:
        assert isinstance(found.answer, Present)
        out.print(f"{image.rsplit(':', 1)[0]}@{found.answer.digest}")
        return
    out.print(image)
    if found.missing:
        err.print(f"no image for {', '.join(found.missing)}", markup=False)
    raise typer.Exit(1)
