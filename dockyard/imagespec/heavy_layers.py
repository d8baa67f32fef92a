"""Heavy packages (torch, nvidia-* CUDA wheels, ...) in layers of their own, in a stable order.

A layer holds what one RUN step changed, so a 2 GB torch installed in the same step as a 5 kB package is
re-pushed and re-pulled whenever the small one changes, and never shared with another image. Installing each
heavy package first, alone, in name order, puts it in the shared prefix of every image with the same base and
the same heavy pins: those images share its blob in the registry and on every node, and a puller fetches the
layers in parallel.

Which packages are heavy is a name list (`build.heavy_packages`, shell patterns), not a measured size:
resolving sizes would need the index at hash time. With a `pip_lock` the split is exact (each heavy pin of
the lock is installed with --no-deps, dependencies included as their own layers when they are heavy too);
without one, each heavy requirement is installed with its dependencies.
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

HEAVY_DIR = "heavy"  # in the context's gen/ folder: one requirements file per heavy layer


def _name(line: str) -> str:
    return canonicalize_name(Requirement(line.split(";")[0].strip()).name)


def lock_entries(text: str) -> dict[str, str]:
    """name → the entry's lines (pin, markers, hashes) of a uv-compiled requirements lock."""
    entries: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in text.splitlines():
        stripped = line.strip()
        if line[:1] in (" ", "\t"):
            if current is not None and not stripped.startswith("#"):
                current.append(line)
            continue
        if not stripped or stripped.startswith(("#", "-")):
            current = None
            continue
        current = [line]
        entries[_name(line.rstrip(" \\"))] = current
    return {name: "\n".join(lines) + "\n" for name, lines in entries.items()}


def heavy_names(requirements: list[str], patterns: list[str]) -> tuple[str, ...]:
    """Canonical names of the requirements matching a heavy pattern, sorted: the layer order."""
    names = {_name(r) for r in requirements}
    return tuple(sorted(n for n in names if any(fnmatchcase(n, canonicalize_name(p)) for p in patterns)))


def layer_names(names: tuple[str, ...]) -> list[str]:
    """The requirements file of each heavy layer, numbered so that a listing keeps the layer order."""
    return [f"{i:02d}-{n}.txt" for i, n in enumerate(names)]


def layer_files(names: tuple[str, ...], packages: tuple[str, ...], lock: str | None) -> dict[str, str]:
    """File name → content of each heavy layer's requirements file (from the lock when there is one)."""
    if lock is not None:
        entries = lock_entries(lock)
        return {file: entries[n] for file, n in zip(layer_names(names), names, strict=True)}
    by_name: dict[str, list[str]] = {}
    for requirement in packages:
        by_name.setdefault(_name(requirement), []).append(requirement)
    return {
        file: "".join(f"{r}\n" for r in by_name[n]) for file, n in zip(layer_names(names), names, strict=True)
    }


def write(folder: Path, files: dict[str, str]) -> None:
    """Write the layer files into `<context>/gen/heavy/`."""
    target = folder / HEAVY_DIR
    target.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (target / name).write_text(content)
