"""`dockyard lock SPEC`: write the spec's lock files beside it, resolved for the image's platform and Python.

The pip part is compiled by uv for the target (`--python-platform`, `--python-version`), never for this
machine; the conda part by conda-lock, which needs the channels to be reachable.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from dockyard.config import get_settings
from dockyard.errors import SpecError

app = typer.Typer()
out = Console(highlight=False, soft_wrap=True)


@app.command()
def lock(
    spec: str = typer.Argument(..., help="spec.yaml, or module.py:variable"),
    pip: bool = typer.Option(True, help="Write <stem>.pip.lock.txt from packages and requirements (uv)."),
    conda: bool = typer.Option(True, help="Write <stem>.conda-lock.yml from conda_packages (conda-lock)."),
) -> None:
    """Lock a spec's packages for its target platform and Python; name the files in pip_lock / conda_lock."""
    file = Path(spec.partition(":")[0])
    if file.suffix not in (".yaml", ".yml", ".py"):
        raise SpecError(f"{spec}: dockyard lock needs a spec file (spec.yaml or module.py:variable)")
    from dockyard.imagespec import load_spec  # loaded on use: other commands start fast
    from dockyard.imagespec.lock import compile_conda, compile_pip, lock_paths

    image_spec = load_spec(spec)
    settings = get_settings().build
    pip_path, conda_path = lock_paths(file)
    written = []
    if pip and (image_spec.packages or image_spec.requirements):
        written.append(("pip_lock", compile_pip(image_spec, settings, pip_path)))
    if conda and image_spec.conda_packages:
        written.append(("conda_lock", compile_conda(image_spec, settings, conda_path)))
    if not written:
        raise SpecError(f"{spec}: nothing to lock (no packages, requirements or conda_packages)")
    for field, path in written:
        out.print(f"wrote {path}  (spec: {field}: {path.name})")
