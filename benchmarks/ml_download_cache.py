"""Sharing uv's download cache across fresh CI runners through a "cache image" (moby/buildkit#1474).

BuildKit exports no cache mount. This tries the documented way around it: a stage copies the warm cache
mount into an ordinary layer, that image is pushed (the "cache image"), and the next runner seeds its empty
cache mount from it: the install step always mounts `--mount=type=cache,...,from=uvcache,source=/` with a
`FROM scratch AS uvcache` default (an empty cache), and a seeded build adds
`--build-context uvcache=docker-image://<cache image>`. Each step runs on a fresh throw-away dockerd
(`ml_ci_cache.fresh_engine`: empty BuildKit cache, empty cache mounts, no images):

1. cold: install the packages with an empty cache mount, build + push; then export and push the cache image;
2. cold and seeded, alternating per round: a new engine each, same packages, build + push (the cache image
   is not local: BuildKit resolves and pulls it);
3. changed set: a new engine, one more package, seeded (a partial hit must still build);
4. concurrent: two seeded builds with different package sets at once on one new engine;
5. missing: a new engine, seeded from a cache image that does not exist (the build fails).

`.venv/bin/python benchmarks/ml_download_cache.py [ROUNDS]` prints the figures (run as root: it starts
dockerd). The cache-key check in RESULTS.md (seeded, then unseeded, build on one engine) was run by hand.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from ml_ci_cache import fresh_engine

BASE = "localhost:5000/dockyard/debian:bookworm"
PACKAGES = ["numpy==2.1.3", "pandas==2.2.3"]
CA = "/etc/ssl/certs/ca-certificates.crt"
UV = Path(__file__).parent.parent / ".venv" / "bin" / "uv"

INSTALL = """FROM scratch AS uvcache
FROM {base}
RUN --mount=type=bind,source=uv,target=/tmp/uv \\
    /tmp/uv/uv venv /opt/venv
RUN --mount=type=bind,source=uv,target=/tmp/uv \\
    --mount=type=bind,source=packages.txt,target=/tmp/packages.txt \\
    --mount=type=secret,id=ca \\
    --mount=type=cache,target=/root/.cache/uv,id=dyexp-uv,from=uvcache,source=/ \\
    SSL_CERT_FILE=/run/secrets/ca UV_LINK_MODE=copy UV_COMPILE_BYTECODE=1 \\
    /tmp/uv/uv pip install --python /opt/venv/bin/python --requirement /tmp/packages.txt
"""

EXPORT = """FROM {base} AS warm
RUN --mount=type=cache,target=/root/.cache/uv,id=dyexp-uv \\
    mkdir -p /export && cp -a /root/.cache/uv/. /export/
FROM scratch
COPY --from=warm /export /
"""


def context(root: Path, name: str, packages: list[str]) -> Path:
    """A build context with the uv binary, the package list and the Dockerfiles."""
    folder = root / name
    (folder / "uv").mkdir(parents=True)
    shutil.copy2(UV, folder / "uv" / "uv")
    (folder / "packages.txt").write_text("\n".join(packages) + "\n")
    (folder / "Dockerfile").write_text(INSTALL.format(base=BASE))
    (folder / "Dockerfile.export").write_text(EXPORT.format(base=BASE))
    return folder


def build(
    host: str, folder: Path, tag: str, seed: str = "", dockerfile: str = "Dockerfile"
) -> dict[str, object]:
    """build + push on the engine at `host`, the cache mount seeded from image `seed` when given."""
    extra = ["--build-context", f"uvcache=docker-image://{seed}"] if seed else []
    started = time.monotonic()
    done = subprocess.run(
        [
            "docker",
            "buildx",
            "build",
            "--progress=plain",
            "--network=host",
            *extra,
            "--secret",
            f"id=ca,src={CA}",
            "-f",
            str(folder / dockerfile),
            "-t",
            tag,
            "--push",
            str(folder),
        ],
        env={**os.environ, "DOCKER_HOST": host},
        capture_output=True,
        text=True,
    )
    seconds = time.monotonic() - started
    uv = [
        line.split(" ", 1)[1]
        for line in done.stderr.splitlines()
        if re.search(r"(Prepared|Installed) \d+", line)
    ]
    steps = re.findall(r"#\d+ DONE (\d+\.\d+)s", done.stderr)
    (folder / f"{tag.rsplit(':', 1)[1]}.log").write_text(done.stderr)
    tail = done.stderr.strip().splitlines()[-1] if done.returncode else ""
    return {
        "s": round(seconds, 1),
        "rc": done.returncode,
        "uv": uv,
        "longest_step_s": max(map(float, steps or ["0"])),
        "err": tail,
    }


def exists(image: str) -> bool:
    """Whether the registry has `image` (what a client checks before passing the seed)."""
    return (
        subprocess.run(["docker", "buildx", "imagetools", "inspect", image], capture_output=True).returncode
        == 0
    )


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    run = uuid.uuid4().hex[:8]
    repo = f"localhost:5000/dyexp-{run}"
    cache_image = f"{repo}/uvcache:latest"
    print("repository", repo, flush=True)
    with tempfile.TemporaryDirectory(prefix="dyexp-", dir="/var/tmp") as scratch_name:
        scratch = Path(scratch_name)
        engines = scratch / "engines"
        engines.mkdir()
        base = context(scratch, "base", PACKAGES)
        print("cache image present before export:", exists(cache_image), flush=True)
        with fresh_engine(engines) as host:
            print("first cold", build(host, base, f"{repo}/app:first"), flush=True)
            print("export", build(host, base, cache_image, dockerfile="Dockerfile.export"), flush=True)
        for round_ in range(rounds):
            for seed in ["", cache_image] if round_ % 2 == 0 else [cache_image, ""]:
                with fresh_engine(engines) as host:
                    label = "seeded" if seed else "cold"
                    print(label, build(host, base, f"{repo}/app:{label}{round_}", seed), flush=True)
        changed = context(scratch, "changed", [*PACKAGES, "attrs==24.2.0"])
        with fresh_engine(engines) as host:
            print("changed set, seeded", build(host, changed, f"{repo}/app:changed", cache_image), flush=True)
        other = context(scratch, "other", [*PACKAGES, "six==1.16.0"])
        with fresh_engine(engines) as host, ThreadPoolExecutor(2) as pool:
            jobs = [
                pool.submit(build, host, c, f"{repo}/app:{c.name}-concurrent", cache_image)
                for c in (base, other)
            ]
            print("concurrent, seeded", [job.result() for job in jobs], flush=True)
        with fresh_engine(engines) as host:
            print(
                "missing seed",
                build(host, base, f"{repo}/app:missing", f"{repo}/nonexistent:latest"),
                flush=True,
            )


if __name__ == "__main__":
    main()
