"""Installs the runtime's dependencies into a task image without changing one of the user's packages.

The image's Dockerfile installs dockyard itself with `--no-deps`, after the user's packages, then runs
`python -m dockyard.image_install --uv UV [--extra NAME]... [--packages FILE] [--exact]`: this module reads
the installed dockyard's own requirements, keeps only what `dockyard-execute` needs
(`runtime_requirements`), and has uv resolve them together with the user's packages, each held at the
version installed (`==`, as a requirement and a constraint, so their own dependencies are resolved again
with the runtime's). Dependencies the user never named may move within what their packages allow (pandas'
python-dateutil for boto3's), never what they named. After a lock, a requirements file or conda
(`--exact`), every installed version is the user's and all are held. When the two cannot agree, the step
prints one line (`CONFLICT_MARK` ...) naming the runtime's requirement and the user's pin, which the
builder turns into a one-line spec error.

Stdlib only: it runs before the runtime's dependencies are in the image.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

# The client's own dependencies, which no task needs: the CLI, the registry client, the S3 and cluster
# clients, the Dockerfile renderer, file snapshots and build locks, and the cron arithmetic of schedules
# (a CronSchedule is checked where the run starts). Every other dependency of dockyard is the runtime's:
# the SDK, the ImageSpec model that user modules build at import, the stores' common code.
CLIENT_ONLY = frozenset(
    {"typer", "click", "rich", "httpx", "boto3", "kubernetes", "jinja2", "pathspec", "filelock", "croniter"}
)
# Runtime extras (build.runtime_extras): client-only dependencies some images need after all, with the
# specifiers dockyard's own metadata gives them. "s3": the S3 store's client; "kubernetes": the client
# that user modules import for a pod_template.
EXTRAS: dict[str, frozenset[str]] = {"s3": frozenset({"boto3"}), "kubernetes": frozenset({"kubernetes"})}
CONFLICT_MARK = "dockyard-runtime-conflict:"
_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_UV_DECORATION = " \u00d7\u2570\u2500\u25b6\u2502"  # the tree drawn around uv's errors
_EXTRA_MARKER = re.compile(r";.*\bextra\s*==")


def canonical_name(name: str) -> str:
    """PEP 503 normalisation: `PyYAML`, `pyyaml` and `py_yaml` are one project."""
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(requirement: str) -> str:
    found = _NAME.match(requirement)
    return canonical_name(found.group(1)) if found else ""


def runtime_requirements(requires: Iterable[str], extras: Iterable[str] = ()) -> list[str]:
    """The requirements a task image installs: dockyard's core dependencies (no `extra ==` marker) less
    the client-only ones, except those the named extras bring back."""
    wanted = set().union(*(EXTRAS[e] for e in extras))
    chosen = []
    for requirement in requires:
        if _EXTRA_MARKER.search(requirement):
            continue
        name = requirement_name(requirement)
        if name and (name not in CLIENT_ONLY or name in wanted):
            chosen.append(requirement)
    return sorted(chosen)


def client_requirements(requires: Iterable[str]) -> list[str]:
    """The client-only requirements: what an image that runs the `dockyard` CLI itself adds."""
    return sorted(r for r in requires if not _EXTRA_MARKER.search(r) and requirement_name(r) in CLIENT_ONLY)


def installed_pins(names: Iterable[str] | None = None, exclude: str = "dockyard") -> list[str]:
    """`name==version` of the distributions in this Python that are named (all when `names` is None), the
    runtime's own excepted."""
    wanted = None if names is None else {canonical_name(n) for n in names}
    pins = {}
    for dist in importlib.metadata.distributions():
        name = canonical_name(dist.metadata["Name"] or "")
        if name and name != exclude and (wanted is None or name in wanted):
            pins[name] = f"{name}=={dist.version}"
    return sorted(pins.values())


def declared_names(packages: Path | None) -> list[str]:
    """The project names in the spec's packages file (one requirement a line)."""
    if packages is None:
        return []
    names = {requirement_name(line) for line in packages.read_text().splitlines() if not line.startswith("#")}
    return sorted(names - {""})


def conflict_line(uv_output: str, requirements: Sequence[str], pins: Sequence[str]) -> str:
    """One line naming the runtime's requirement and the image's pin that uv found at odds."""
    flat = " ".join(line.strip(_UV_DECORATION) for line in uv_output.splitlines() if line.strip())
    ours = [r for r in requirements if r.split(";")[0].replace(" ", "") in flat.replace(" ", "")]
    theirs = [p for p in pins if p in flat]
    if ours and theirs:
        return (
            f"{CONFLICT_MARK} the dockyard runtime requires {ours[0].split(';')[0]}, but the image's "
            f"packages hold {theirs[0]} (dockyard never changes them: loosen that requirement or use a "
            "version of dockyard that accepts it)"
        )
    return f"{CONFLICT_MARK} the dockyard runtime does not fit the image's packages unchanged: {flat}"


def install(
    uv: str,
    extras: Sequence[str],
    uv_args: Sequence[str],
    *,
    packages: Path | None = None,
    exact: bool = False,
) -> int:
    requirements = runtime_requirements(importlib.metadata.requires("dockyard") or (), extras)
    pins = installed_pins(None if exact else declared_names(packages))
    # Held as requirements too (their dependencies resolved again with the runtime's), unless not from an
    # index (a URL or a path: then only as a constraint, which needs no download).
    direct = (
        set()
        if packages is None
        else {requirement_name(x) for x in packages.read_text().splitlines() if "@" in x or "/" in x}
    )
    held = [p for p in pins if requirement_name(p) not in direct]
    with tempfile.TemporaryDirectory(prefix="dockyard-runtime-") as scratch:
        wanted, constraints = Path(scratch, "runtime.txt"), Path(scratch, "pins.txt")
        wanted.write_text("".join(f"{r}\n" for r in [*requirements, *(() if exact else held)]))
        constraints.write_text("".join(f"{p}\n" for p in pins))
        command = [uv, "pip", "install", "--python", sys.executable, "--constraint", str(constraints)]
        done = subprocess.run(
            [*command, "--requirement", str(wanted), *uv_args], capture_output=True, text=True, check=False
        )
    sys.stdout.write(done.stdout)
    if done.returncode == 0:
        sys.stderr.write(done.stderr)
        return 0
    if "No solution found" in done.stderr or "unsatisfiable" in done.stderr:
        print(conflict_line(done.stderr, requirements, pins), file=sys.stderr)
        return 3
    sys.stderr.write(done.stderr)
    return done.returncode


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dockyard.image_install")
    parser.add_argument("--uv", required=True, help="the uv binary of the build")
    parser.add_argument("--extra", action="append", default=[], choices=sorted(EXTRAS))
    parser.add_argument("--packages", type=Path, default=None, help="the spec's packages file")
    parser.add_argument("--exact", action="store_true", help="hold every installed version (a lock)")
    args, uv_args = parser.parse_known_args(argv)
    return install(args.uv, args.extra, uv_args, packages=args.packages, exact=args.exact)


if __name__ == "__main__":
    sys.exit(main())
