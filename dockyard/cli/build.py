"""`dockyard build` and `dockyard exists`: make images exist in the registry, or ask whether they do.

Specs come from YAML files or `file.py:variable`, through the same loader as `render` and `explain`.
buildx's conventions: `--progress`, `--load`/`--push`, `--cache-from`/`--cache-to`, `--label`, `-t/--tag`,
`--no-cache`, `--pull`, `--metadata-file`, `--builder` (a buildx builder instance; the builder plugin is
`--backend`). Progress goes to stderr, results to stdout (`--format json`) or to `-o FILE`.
"""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console

from dockyard.cli.progress import PROGRESS_HELP, ProgressMode, ProgressView
from dockyard.config import get_settings
from dockyard.errors import SpecError

if TYPE_CHECKING:
    from dockyard.builders.engine import BuildEngine
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
    # Validated again as a whole (a CUDA spec may not allow the platform); relative paths keep their folder.
    return spec._derive(**changes) if changes else spec


def _kubernetes_manifests(spec: ImageSpec, engine: BuildEngine, *, push: bool) -> list[dict[str, Any]]:
    """What the kubernetes builder would create for this spec (secret values replaced by their source)."""
    from dockyard.kubernetes.builder import render_spec_manifests

    return render_spec_manifests([spec], engine.settings, push=push, lookup_digest=engine.lookup_digest)


def _deprecated(old: str, new: str) -> None:
    err.print(f"[yellow]warning:[/yellow] {old} is deprecated and goes in the next release: use {new}")


def _plugin_and_instance(backend: str | None, builder: str | None) -> tuple[str | None, str | None]:
    """(--backend, --builder): `--builder docker|kubernetes` is the previous release's spelling of
    `--backend`; any other `--builder` names a buildx builder instance, as it does for buildx."""
    from dockyard.builders.plugins import available

    if builder is not None and backend is None and builder in available():
        _deprecated(f"--builder {builder}", f"--backend {builder} (--builder now names a buildx builder)")
        return builder, None
    return backend, builder


def _build_settings(**changes: Any) -> Any:
    """The settings with the buildx flags applied to the build section."""
    settings = get_settings()
    build = settings.build.model_copy(update={k: v for k, v in changes.items() if v})
    return settings.model_copy(update={"build": build})


@app.command()
def build(
    specs: list[str] = typer.Argument(..., help="Spec files: YAML, or `file.py:variable`."),
    push: bool = typer.Option(True, "--push/--no-push", help="Push to the registry (else load locally)."),
    load: bool = typer.Option(False, "--load", help="Load into the local engine instead of pushing."),
    force: bool = typer.Option(False, "--force", help="Build even when the registry has the tag."),
    platform: str | None = typer.Option(
        None, "--platform", help="Target platform(s), e.g. linux/amd64,linux/arm64."
    ),
    backend: str | None = typer.Option(None, "--backend", help="Builder plugin: docker, kubernetes, …"),
    builder: str | None = typer.Option(None, "--builder", help="buildx builder instance to build with."),
    tags: list[str] = typer.Option([], "-t", "--tag", help="More names: a full reference, or a bare tag."),
    labels: list[str] = typer.Option([], "--label", help="K=V image label (not part of the tag)."),
    cache_from: list[str] = typer.Option([], "--cache-from", help="type=registry|local|gha,... (buildx)."),
    cache_to: list[str] = typer.Option([], "--cache-to", help="type=registry|local|gha,... (buildx)."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Build every step again (implies --force)."),
    pull: bool = typer.Option(False, "--pull", help="Look for a newer base image."),
    metadata_file: Path | None = typer.Option(
        None, "--metadata-file", help="Write each image's name and digest here (JSON, as buildx)."
    ),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Print the tags and whether they exist; build nothing."
    ),
    fmt: Output = typer.Option(Output.text, "--format", help="text or json."),
    output: str | None = typer.Option(None, "-o", "--output", help="Write the result to this file."),
    progress: ProgressMode = typer.Option(ProgressMode.auto, "--progress", help=PROGRESS_HELP),
    verify: bool = typer.Option(
        False, "--verify", help="Ask the registry even when the answer cache says the image is there."
    ),
) -> None:
    """Build and push each spec's image unless the registry already has its content-hash tag."""
    from dockyard.builders.docker import add_tags
    from dockyard.builders.engine import BuildEngine  # the engine loads on use: other commands start fast
    from dockyard.cli.run import key_values

    if output in ("text", "json"):  # `-o json` of the previous release: -o is now a file, as for serialize
        _deprecated(f"-o {output}", f"--format {output}")
        fmt, output = Output(output), None
    backend, builder = _plugin_and_instance(backend, builder)
    push = push and not load
    settings = _build_settings(
        buildx_builder=builder,
        cache_from=cache_from,
        cache_to=cache_to,
        no_cache=no_cache,
        pull=pull,
        labels=key_values(labels, "--label"),
    )
    if verify:  # a cache that trusts nothing: every skip is the registry's own answer
        settings = settings.model_copy(
            update={"build": settings.build.model_copy(update={"exists_cache_ttl_s": 0})}
        )
    loaded = _load(specs, platform=platform, builder=backend)
    view = ProgressView(progress)
    engine = BuildEngine(settings, on_event=view.on_build)
    if dry_run:
        _dry_run(engine, loaded, fmt, push=push)
        return
    view.specs = {engine.image_reference(spec, offline=not push): spec for spec in loaded}
    with view:
        outcomes = engine.ensure(loaded, push=push, force=force or no_cache)
    results: list[dict[str, Any]] = []
    for spec, path in loaded.items():
        done = outcomes[spec]
        extra = add_tags(done.image_ref if push else done.image, tags, pushed=push) if tags else []
        results.append(
            {
                "spec": path,
                "image": done.image,
                "image_ref": done.image_ref,
                "digest": done.digest,
                "built": done.built,
                "source": done.source,
                "tags": [done.image, *extra],
            }
        )
    if metadata_file is not None:
        metadata = {
            str(r["spec"]): {
                "image.name": ",".join(r["tags"]),
                "containerimage.digest": r["digest"],
            }
            for r in results
        }
        metadata_file.write_text(json.dumps(metadata, indent=2) + "\n")
    if fmt is Output.json:
        text = json.dumps(results, indent=2)
    else:
        states = ["built" if r["built"] else f"present ({r['source']})" for r in results]
        text = "\n".join(
            f"{r['spec']}  {r['image_ref']}  {state}" for r, state in zip(results, states, strict=True)
        )
    if output is None:
        out.print(text, markup=False)
    else:
        Path(output).write_text(text + "\n")


def _dry_run(engine: BuildEngine, loaded: dict[ImageSpec, str], fmt: Output, *, push: bool) -> None:
    plan = engine.plan(loaded)
    rows: list[dict[str, object]] = []
    documents: list[dict[str, Any]] = []
    for spec, path in loaded.items():
        item = plan[spec]
        rows.append({"spec": path, "image": item.image, "state": item.state, "detail": item.detail})
        if (spec.builder or engine.settings.build.builder) == "kubernetes":
            rows[-1]["manifests"] = manifests = _kubernetes_manifests(spec, engine, push=push)
            documents += manifests
    if fmt is Output.json:
        typer.echo(json.dumps(rows, indent=2))
        return
    summary = err if documents else out  # with manifests, stdout is YAML for `kubectl apply -f -`
    for planned in rows:
        summary.print(
            f"{planned['spec']}  {planned['image']}  {planned['state']}", markup=False, soft_wrap=True
        )
    if documents:
        from dockyard.kubernetes.naming import to_yaml

        typer.echo("---\n" + to_yaml(documents), nl=False)


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
