"""Lock files: a uv-compiled requirements lock for the TARGET platform and Python (not the host's), and a
conda-lock file for the conda part. `dockyard lock SPEC` writes them beside the spec; a spec names them in
`pip_lock` / `conda_lock`, builds install from them, and their bytes are in the hash like any input file.

A pip lock starts with a digest of what it was compiled from (packages, requirements files, Python version,
platforms, indexes), so a lock that no longer matches its spec is an error before any build, not a quietly
different image.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import tempfile
from pathlib import Path

from dockyard.config import BuildSettings
from dockyard.errors import SpecError
from dockyard.imagespec import files, grammar
from dockyard.imagespec.cuda import check as check_cuda
from dockyard.imagespec.spec import ImageSpec
from dockyard.imagespec.targets import package_indexes, target_platforms
from dockyard.imagespec.uv_binary import uv_executable

INPUTS_MARK = "# dockyard-lock-inputs: "
# Docker platform → (uv --python-platform, conda subdir). manylinux_2_28 matches Debian 10+ / Ubuntu 20.04+.
PLATFORMS = {
    "linux/amd64": ("x86_64-manylinux_2_28", "linux-64"),
    "linux/arm64": ("aarch64-manylinux_2_28", "linux-aarch64"),
}


def _platforms(spec: ImageSpec) -> tuple[str, ...]:
    platforms = target_platforms(spec)
    for platform in platforms:
        if platform not in PLATFORMS:
            raise SpecError(f"ImageSpec.platform: cannot lock for {platform} (only {', '.join(PLATFORMS)})")
    return platforms


def _indexes(spec: ImageSpec, settings: BuildSettings) -> tuple[str | None, list[str]]:
    index, spec_extra = package_indexes(spec, settings)
    extra = list(spec_extra)
    cuda = check_cuda(spec, settings.cuda_base_repository)
    if cuda is not None and cuda.torch_index:
        extra.append(cuda.torch_index)
    return index, extra


def pip_inputs_digest(spec: ImageSpec, settings: BuildSettings) -> str:
    """sha256 of everything a pip lock is compiled from (credentials in index URLs included only hashed)."""
    requirement_files = []
    if spec.requirements is not None:
        _, sources = files.requirement_files(spec)
        requirement_files = sorted((s.key, files.digest(s).sha256) for s in sources)
    index, extra = _indexes(spec, settings)
    data = {
        "packages": sorted(set(spec.packages or ())),
        "requirements": requirement_files,
        "python_version": spec.python_version,
        "platforms": list(_platforms(spec)),
        # Redacted with a keyed digest of the user, as in the image's hash: a rotated password keeps the lock.
        "index": grammar.redact_url(index) if index else None,
        "extra_index": [grammar.redact_url(url) for url in extra],
    }
    text = json.dumps(data, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def lock_sources(spec: ImageSpec) -> list[files.Source]:
    """The spec's lock files as build inputs, keyed `locks/<name>` (bound into the install steps)."""
    named = [spec.pip_lock, spec.conda_lock]
    return [
        files.Source(f"locks/{Path(n).name}", files.project_file(spec, n, "lock"))
        for n in named
        if n is not None
    ]


def check_pip_lock(spec: ImageSpec, settings: BuildSettings) -> None:
    """The spec's pip_lock exists and was compiled from the spec as it is now."""
    if spec.pip_lock is None:
        return
    path = spec.path(spec.pip_lock)
    try:
        first = path.read_text().split("\n", 1)[0]
    except OSError as exc:
        raise SpecError(f"ImageSpec.pip_lock: {path}: {exc.strerror}") from None
    if not first.startswith(INPUTS_MARK):
        raise SpecError(f"ImageSpec.pip_lock: {path} was not written by `dockyard lock` (no inputs line)")
    if first.removeprefix(INPUTS_MARK).strip() != pip_inputs_digest(spec, settings):
        raise SpecError(f"ImageSpec.pip_lock: {path} is stale (the spec changed); run `dockyard lock` again")


def lock_paths(spec_file: Path) -> tuple[Path, Path]:
    """Where `dockyard lock` writes: `<stem>.pip.lock.txt` and `<stem>.conda-lock.yml` beside the spec."""
    stem = spec_file.name.split(".")[0]
    return spec_file.with_name(f"{stem}.pip.lock.txt"), spec_file.with_name(f"{stem}.conda-lock.yml")


def compile_pip(spec: ImageSpec, settings: BuildSettings, output: Path) -> Path:
    """`uv pip compile` of packages + requirements for the spec's platform(s) and Python, with hashes."""
    if spec.python_version is None:
        raise SpecError("ImageSpec.python_version: required to lock (the target's Python, not this one's)")
    if spec.requirements is not None and Path(spec.requirements).name in ("uv.lock", "poetry.lock"):
        raise SpecError(f"ImageSpec.requirements: {spec.requirements} is a lock already")
    platforms = _platforms(spec)
    index, extra = _indexes(spec, settings)
    with tempfile.TemporaryDirectory(prefix="dockyard-lock-") as scratch:
        source = Path(scratch) / "requirements.in"
        lines = sorted(set(spec.packages or ()))
        if spec.requirements is not None:
            lines.append(f"-r {spec.path(spec.requirements)}")
        source.write_text("".join(f"{line}\n" for line in lines))
        compiled = Path(scratch) / "lock.txt"
        command = [uv_executable(), "pip", "compile", "--quiet", "--no-header", "--generate-hashes"]
        command += ["--no-config", "--python-version", spec.python_version, "--output-file", str(compiled)]
        if len(platforms) == 1:
            command += ["--python-platform", PLATFORMS[platforms[0]][0]]
        else:
            command += ["--universal"]
        # Indexes go through uv's environment, never its argv, which every user of this host can read.
        env = dict(os.environ)
        if index:
            env["UV_INDEX_URL"] = index
        if extra:
            env["UV_EXTRA_INDEX_URL"] = " ".join(extra)
        if extra and any("download.pytorch.org" in url for url in extra):
            command += ["--index-strategy", "unsafe-best-match"]
        if settings.ca_bundle is not None:
            env["SSL_CERT_FILE"] = str(settings.ca_bundle)
        result = subprocess.run([*command, str(source)], capture_output=True, text=True, env=env, check=False)
        if result.returncode != 0:
            reason = grammar.redact_url((result.stderr.strip().splitlines() or ["no output"])[-1])
            raise SpecError(f"ImageSpec.packages: uv could not lock them: {reason}")
        body = compiled.read_text().replace(str(source), "requirements.in")
    output.write_text(f"{INPUTS_MARK}{pip_inputs_digest(spec, settings)}\n{body}")
    return output


def conda_environment(spec: ImageSpec, settings: BuildSettings) -> str:
    """The environment.yml conda-lock reads: channels (mirrors applied), Python and the conda packages."""
    channels = [settings.conda_channel_mirrors.get(c, c) for c in spec.conda_channels or ("conda-forge",)]
    dependencies = [f"python={spec.python_version}", *(spec.conda_packages or ())]
    platforms = [PLATFORMS[p][1] for p in _platforms(spec)]
    lines = ["channels:", *(f"  - {c}" for c in channels), "dependencies:"]
    lines += [f"  - {json.dumps(d)}" for d in dependencies]
    lines += ["platforms:", *(f"  - {p}" for p in platforms)]
    return "\n".join(lines) + "\n"


def compile_conda(spec: ImageSpec, settings: BuildSettings, output: Path) -> Path:
    """conda-lock's unified lock file for the conda part (it reads channel repodata: never offline)."""
    import shutil

    if not spec.conda_packages:
        raise SpecError("ImageSpec.conda_packages: nothing to lock with conda-lock")
    executable = shutil.which("conda-lock")
    if executable is None:
        raise SpecError("conda_lock: the conda-lock command is not installed (pip install conda-lock)")
    with tempfile.TemporaryDirectory(prefix="dockyard-conda-lock-") as scratch:
        environment = Path(scratch) / "environment.yml"
        environment.write_text(conda_environment(spec, settings))
        command = [executable, "lock", "--file", str(environment), "--lockfile", str(output)]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        reason = (result.stderr.strip().splitlines() or ["no output"])[-1]
        raise SpecError(f"ImageSpec.conda_packages: conda-lock failed: {reason}")
    return output
