"""`dockyard render` and `dockyard explain`: show the Dockerfile a spec makes, and why an image is rebuilt.

Specs come from a YAML file or `file.py:variable`, through `dockyard.imagespec.load` like `dockyard build`.
The base image is pinned by its registry digest exactly as a build would pin it.
"""

from __future__ import annotations

import json
import subprocess
from typing import TYPE_CHECKING

import typer
from rich.console import Console

from dockyard.config import get_settings
from dockyard.errors import DockyardError, RegistryError, SpecError

if TYPE_CHECKING:
    from dockyard.builders.registry import RegistryClient

app = typer.Typer()
out = Console(highlight=False, soft_wrap=True)


@app.command()
def render(spec: str = typer.Argument(..., help="spec.yaml, or module.py:variable")) -> None:
    """Print the Dockerfile a spec renders to (no context is written, nothing is built)."""
    from dockyard.builders.registry import RegistryClient  # loaded on use: other commands start fast
    from dockyard.imagespec import load_spec, render_dockerfile

    image_spec = load_spec(spec)
    with RegistryClient() as client:
        dockerfile = render_dockerfile(image_spec, get_settings().build, lookup_digest=client.digest)
    typer.echo(dockerfile, nl=False)


def _local_labels(image: str) -> dict[str, str] | None:
    """Labels of an image in the local Docker engine, or None when it has no such image."""
    proc = subprocess.run(
        ["docker", "image", "inspect", "--format", "{{json .Config.Labels}}", image],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        return None
    return json.loads(proc.stdout or "null") or {}


def _newest_local(repo: str) -> str | None:
    """The most recently created local image of a repository that dockyard built, if any."""
    proc = subprocess.run(
        [
            "docker",
            "image",
            "ls",
            "--filter",
            "label=dockyard.inputs",
            "--format",
            "{{.Repository}}:{{.Tag}}",
            repo,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    found = [line for line in proc.stdout.splitlines() if not line.endswith(":<none>")]
    return found[0] if found else None  # `docker image ls` lists newest first


def _labels(client: RegistryClient, image: str) -> dict[str, str]:
    try:
        return client.image_labels(image)  # an absent image is a RegistryError too
    except RegistryError:
        pass  # not in a registry we can reach: the local engine may still have it
    local = _local_labels(image)
    if local is None:
        raise DockyardError(f"{image}: not found in its registry nor in the local Docker engine")
    return local


@app.command()
def explain(
    spec: str = typer.Argument(..., help="spec.yaml, or module.py:variable"),
    image: str | None = typer.Option(
        None,
        "--image",
        help="Image to compare with (default: the spec's own tag, else its newest local image).",
    ),
    fmt: str = typer.Option("text", "--format", help="text or json."),
) -> None:
    """Say which hash inputs of a spec differ from those recorded on an existing image."""
    if fmt not in ("text", "json"):
        raise SpecError(f"--format {fmt!r}: use text or json")
    from dockyard.builders.registry import Present, RegistryClient
    from dockyard.imagespec import load_spec, resolve
    from dockyard.imagespec.explain import diff_inputs, recorded_inputs
    from dockyard.imagespec.prepare import label_inputs
    from dockyard.imagespec.resolve import repository, tag_for

    settings = get_settings().build
    image_spec = load_spec(spec)
    with RegistryClient() as client:
        resolved = resolve(image_spec, settings, lookup_digest=client.digest)
        expected = (
            f"{repository(image_spec, settings)}:{tag_for(resolved.spec_hash(), image_spec.tag_format)}"
        )
        if image is None:
            try:
                if isinstance(client.lookup(expected), Present):
                    if fmt == "json":
                        print(json.dumps({"image": expected, "exists": True, "differences": []}))
                    else:
                        out.print(f"{expected} exists: nothing to rebuild")
                    return
            except RegistryError as exc:
                out.print(f"[yellow]registry:[/yellow] {exc}")
            image = _newest_local(repository(image_spec, settings))
            if image is None:
                raise SpecError(f"{expected} does not exist and no earlier image was found; pass --image REF")
        recorded = recorded_inputs(_labels(client, image), image)
    differences = diff_inputs(recorded, label_inputs(resolved))
    if fmt == "json":
        doc = {"image": expected, "exists": False, "compared_with": image, "differences": differences}
        print(json.dumps(doc, indent=1, ensure_ascii=False))
        return
    out.print(f"spec {spec} → {expected}")
    out.print(f"compared with {image}")
    if not differences:
        out.print("no input differs")
        return
    for line in differences:
        out.print(f"  {line}")
