"""ImageSpec builds, dockyard against flytekit 1.16's DefaultImageBuilder, side by side in one run.

    .venv/bin/python benchmarks/imagespec_vs_flytekit.py [--repeat 3] [--only flytekit|dockyard] [--write]

Not a test: it builds real images (minutes). Needs `bash scripts/setup.sh` (Docker engine with buildx,
registry localhost:5000, the Debian base image).

Cold without pruning (the engine is shared: a prune would empty other people's caches too). Each cold
scenario gets a base of its own, FROM the Debian base plus one nonce layer, pushed to localhost:5000
under a unique name, so no layer of either builder can be a cache hit; and the worker renames every
cache mount of that build (`id=X` becomes `id=X-NONCE`, for both tools), so no uv, apt or micromamba
download cache is warm either. What the run created is removed from the engine at the end.

Method. Both tools get the same specs, FROM the same Debian-made base image, pushed to the same loopback
registry with the same (gzip) compression, each measurement in a fresh interpreter so no in-process memo
helps either side:
- flytekit runs from its own venv (/var/lib/dockyard-ci/flytekit-venv, `flytekit==1.16.*`), made to
  work offline as ../shared/ENVIRONMENT.md describes: its `#syntax` line is dropped from
  DOCKER_FILE_TEMPLATE (monkeypatched), its helper images are seeded locally (`ghcr.io/astral-sh/uv:0.5.1`
  from the PyPI uv==0.5.1 wheel, `mambaorg/micromamba:2.0.3-debian12-slim` holding only the host CA bundle),
  `python_exec` is the base image's python (micromamba never runs) and
  `source_copy_mode=CopyFileDetection.ALL` (so that code changes change its tag).
- dockyard runs from .venv through `dockyard.builders.engine.BuildEngine.ensure`, with the host CA bundle
  as a build secret (`build.ca_bundle`) and a private `build.work_dir` (its positive-answer cache).
Scenarios:
- install floor: the cold spec's installs alone, in a container of a fresh base with no image export:
  apt-get install git, then `uv venv` and `uv pip install` numpy pandas scikit-learn with the same uv
  binary and settings as dockyard's template (bytecode compiled, copy link mode), cold download caches;
- cold: numpy + pandas + scikit-learn + apt git + 5 source files, fresh base and cache mounts, tag absent;
- no change: the same spec again (an existence check); median of --repeat fresh processes;
- source only: one source file edited, then ensure again (a rebuild and push); median of --repeat;
- tag of a 10,000-file source tree: tag computation only, no registry call; median of --repeat, in process;
- three small independent specs built together (each adds one small PyPI package), fresh base and caches.
With --write, the table replaces this benchmark's section of benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tarfile
import time
import urllib.request
import uuid
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path("/var/cache/dockyard-bench")
FLYTEKIT_VENV = Path("/var/lib/dockyard-ci/flytekit-venv")  # made by scripts/setup.sh
DOCKYARD_PYTHON = ROOT / ".venv" / "bin" / "python"
RESULTS = ROOT / "benchmarks" / "RESULTS.md"

REGISTRY = "localhost:5000"
BASE_IMAGE = f"{REGISTRY}/dockyard/debian:bookworm"
BASE_PYTHON = "/usr/bin/python3"
CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"
UV_IMAGE = "ghcr.io/astral-sh/uv:0.5.1"
MICROMAMBA_IMAGE = "mambaorg/micromamba:2.0.3-debian12-slim"
BIG_PACKAGES = ["numpy", "pandas", "scikit-learn"]
SMALL_PACKAGES = ["six", "idna", "attrs"]
TREE_FILES = 10_000
MARK = "BENCH-RESULT "


# --------------------------------------------------------------------------------------------- workers
# A worker is this file run by one tool's interpreter: `--worker TOOL --task JSON`. It prints one line
# `BENCH-RESULT {...}`; everything else it prints (build logs) goes to the driver's log file.


def _flytekit_specs(task: dict[str, Any]) -> list[Any]:
    from string import Template

    import flytekit.image_spec.default_builder as default_builder

    template = default_builder.DOCKER_FILE_TEMPLATE.template
    if template.startswith("#syntax"):  # BuildKit would pull the dockerfile frontend image: not offline
        default_builder.DOCKER_FILE_TEMPLATE = Template(template.split("\n", 1)[1])
    if task.get("nonce"):  # this round's cache mounts: uv, apt, poetry, micromamba, each renamed
        for name, value in vars(default_builder).items():
            if isinstance(value, Template):
                renamed = re.sub(
                    r"\bid=(uv|apt|poetry|micromamba)\b", rf"id=\1-{task['nonce']}", value.template
                )
                setattr(default_builder, name, Template(renamed))
    from flytekit.constants import CopyFileDetection
    from flytekit.image_spec.image_spec import ImageSpec

    return [
        ImageSpec(
            name=spec["name"],
            base_image=task.get("base", BASE_IMAGE),
            registry=REGISTRY,
            packages=spec["packages"],
            apt_packages=spec.get("apt_packages") or None,
            source_root=spec.get("source_root"),
            source_copy_mode=CopyFileDetection.ALL if spec.get("source_root") else None,
            python_exec=BASE_PYTHON,
            builder="default",
        )
        for spec in task["specs"]
    ]


def _dockyard_specs(task: dict[str, Any]) -> list[Any]:
    from dockyard.imagespec import ImageSpec

    if task.get("nonce"):  # this round's cache mounts (secret mounts keep their ids)
        import importlib

        prepare = importlib.import_module(
            "dockyard.imagespec.prepare"
        )  # the package's `prepare` is a function
        render = prepare.render

        def renamed(*args: Any) -> str:
            return re.sub(r"(--mount=type=cache,\S*?\bid=)([\w.-]+)", rf"\1\2-{task['nonce']}", render(*args))

        prepare.render = renamed
    return [
        ImageSpec(
            name=spec["name"],
            base_image=task.get("base", BASE_IMAGE),
            registry=REGISTRY,
            packages=spec["packages"],
            apt_packages=spec.get("apt_packages") or None,
            source_root=spec.get("source_root"),
        )
        for spec in task["specs"]
    ]


def _dockyard_settings(task: dict[str, Any]) -> Any:
    from dockyard.config import load_settings

    build: dict[str, Any] = {"ca_bundle": CA_BUNDLE, "work_dir": task["work_dir"]}
    if task.get("no_answer_cache"):  # a TTL of 0 trusts no cached answer: every check asks the registry
        build["exists_cache_ttl_s"] = 0
    return load_settings({"build": build})


def flytekit_ensure(task: dict[str, Any]) -> dict[str, Any]:
    """flytekit's path: ImageBuildEngine.build per spec, one after the other (it has no parallel build)."""
    specs = _flytekit_specs(task)
    from flytekit.image_spec.image_spec import ImageBuildEngine

    builder = ImageBuildEngine._get_builder("default")
    built: list[str] = []
    build_image = builder.build_image

    def counting(spec: Any) -> Any:
        built.append(spec.image_name())
        return build_image(spec)

    builder.build_image = counting
    started = time.perf_counter()
    for spec in specs:
        ImageBuildEngine.build(spec)
    seconds = time.perf_counter() - started
    images = [spec.image_name() for spec in specs]
    return {"seconds": seconds, "images": images, "built": [image in built for image in images]}


def dockyard_ensure(task: dict[str, Any]) -> dict[str, Any]:
    """dockyard's path: one BuildEngine.ensure call for all the specs (parallel, deduplicated)."""
    specs = _dockyard_specs(task)
    from dockyard.builders.engine import BuildEngine

    engine = BuildEngine(_dockyard_settings(task))
    started = time.perf_counter()
    outcomes = engine.ensure(specs)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "images": [outcomes[spec].image for spec in specs],
        "built": [outcomes[spec].built for spec in specs],
        "sources": [outcomes[spec].source for spec in specs],
    }


def _tag_runs(runs: list[float], tag: str) -> dict[str, Any]:
    """The first call (cold: nothing cached in the process or, for dockyard, its stat cache) and the median
    of the calls after it (warm)."""
    return {"cold_s": runs[0], "seconds": statistics.median(runs[1:]), "tag": tag}


def flytekit_tag(task: dict[str, Any]) -> dict[str, Any]:
    runs, tag = [], ""
    for _ in range(task["repeat"] + 1):
        (spec,) = _flytekit_specs(task)  # a new spec each time: `tag` is a cached_property
        started = time.perf_counter()
        tag = spec.tag
        runs.append(time.perf_counter() - started)
    return _tag_runs(runs, tag)


def dockyard_tag(task: dict[str, Any]) -> dict[str, Any]:
    from dockyard.imagespec.resolve import compute_tag

    settings = _dockyard_settings(task)  # a work_dir of its own: the stat cache starts empty
    runs, tag = [], ""
    for _ in range(task["repeat"] + 1):
        (spec,) = _dockyard_specs(task)
        started = time.perf_counter()
        tag = compute_tag(spec, settings.build, lookup_digest=None)
        runs.append(time.perf_counter() - started)
    return _tag_runs(runs, tag)


WORKERS = {
    ("flytekit", "ensure"): flytekit_ensure,
    ("dockyard", "ensure"): dockyard_ensure,
    ("flytekit", "tag"): flytekit_tag,
    ("dockyard", "tag"): dockyard_tag,
}


def worker(tool: str, task: dict[str, Any]) -> None:
    started = time.perf_counter()
    __import__(tool)
    imported = time.perf_counter() - started
    result = WORKERS[(tool, task["kind"])](task)
    result["import_s"] = imported
    print(MARK + json.dumps(result), flush=True)


# --------------------------------------------------------------------------------------------- driver
class Driver:
    """Prepares the machine and the source trees, runs workers, and keeps their logs."""

    def __init__(self, repeat: int, tools: list[str]) -> None:
        self.repeat = repeat
        self.tools = tools
        self.run_id = uuid.uuid4().hex[:8]
        self.work = BENCH / "imagespec" / self.run_id
        self.work.mkdir(parents=True)
        self.log = (self.work / "workers.log").open("w")
        self.python = {"flytekit": FLYTEKIT_VENV / "bin" / "python", "dockyard": DOCKYARD_PYTHON}
        self.tree = self.work / "tree10k"
        self.snapshot = self.work / "dockyard-checkout"
        self.created: list[str] = []

    def say(self, message: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)

    # --- preparation ------------------------------------------------------------------------------------
    def preflight(self) -> None:
        if subprocess.run(["docker", "info"], capture_output=True).returncode != 0:
            raise SystemExit("Docker engine not answering: run `bash scripts/setup.sh`")
        if subprocess.run(["docker", "image", "inspect", BASE_IMAGE], capture_output=True).returncode != 0:
            raise SystemExit(f"{BASE_IMAGE} missing: run `bash scripts/setup.sh`")
        if "dockyard" in self.tools:
            self.snapshot_dockyard()
        if "flytekit" in self.tools:
            self.ensure_flytekit()
            self.seed_helper_images()

    def ensure_flytekit(self) -> None:
        python = self.python["flytekit"]
        if not python.exists():
            self.say(f"creating {FLYTEKIT_VENV} with flytekit==1.16.*")
            subprocess.run([sys.executable, "-m", "venv", str(FLYTEKIT_VENV)], check=True)
            subprocess.run([str(python), "-m", "pip", "install", "-q", "flytekit==1.16.*"], check=True)

    def seed_helper_images(self) -> None:
        """flytekit's two helper images, made locally (ghcr.io and Docker Hub are unreachable here)."""
        if subprocess.run(["docker", "image", "inspect", UV_IMAGE], capture_output=True).returncode != 0:
            self.say(f"seeding {UV_IMAGE} from the PyPI uv==0.5.1 wheel")
            wheels = self.work / "uv-wheel"
            subprocess.run(
                [str(DOCKYARD_PYTHON), "-m", "pip", "download", "-q", "--no-deps", "--only-binary", ":all:",
                 "--platform", "manylinux_2_17_x86_64", "--dest", str(wheels), "uv==0.5.1"],
                check=True,
            )  # fmt: skip
            (wheel,) = wheels.glob("uv-0.5.1-*.whl")
            with zipfile.ZipFile(wheel) as archive:
                binaries = {
                    Path(name).name: archive.read(name)
                    for name in archive.namelist()
                    if name.endswith(("/scripts/uv", "/scripts/uvx"))
                }
            self.docker_import(UV_IMAGE, {name: (data, 0o755) for name, data in binaries.items()})
        if (
            subprocess.run(["docker", "image", "inspect", MICROMAMBA_IMAGE], capture_output=True).returncode
            != 0
        ):
            self.say(f"seeding {MICROMAMBA_IMAGE} with only the host CA bundle")
            bundle = Path(CA_BUNDLE).read_bytes()
            self.docker_import(MICROMAMBA_IMAGE, {"etc/ssl/certs/ca-certificates.crt": (bundle, 0o644)})

    @staticmethod
    def docker_import(image: str, files: dict[str, tuple[bytes, int]]) -> None:
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w") as tar:
            for name, (data, mode) in files.items():
                info = tarfile.TarInfo(name)
                info.size, info.mode = len(data), mode
                tar.addfile(info, io.BytesIO(data))
        subprocess.run(
            ["docker", "import", "-", image], input=buffer.getvalue(), check=True, capture_output=True
        )

    def snapshot_dockyard(self) -> None:
        """Freeze the checkout dockyard runs from: a dev version puts a wheel of its sources in every image
        (and their digest in the tag), so edits made elsewhere during the run would change every tag."""
        self.snapshot.mkdir()
        shutil.copytree(
            ROOT / "dockyard", self.snapshot / "dockyard", ignore=shutil.ignore_patterns("__pycache__")
        )
        for name in ("pyproject.toml", "README.md"):
            shutil.copy2(ROOT / name, self.snapshot / name)

    def source_tree(self, name: str) -> Path:
        """Five small modules, the same for both tools (each tool gets its own copy to edit)."""
        folder = self.work / name
        folder.mkdir()
        for i in range(5):
            (folder / f"module_{i}.py").write_text(
                f'"""Workflow code, part {i}."""\n\n\ndef step_{i}(x: int) -> int:\n    return x + {i}\n'
            )
        return folder

    def big_tree(self) -> None:
        """10,000 small files in 100 folders: a large repository's source_root."""
        for i in range(TREE_FILES):
            path = self.tree / f"pkg_{i // 100:03d}" / f"mod_{i % 100:03d}.py"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(f"VALUE = {i}\n")

    def fresh_base(self, label: str) -> dict[str, str]:
        """A base no builder has seen: the Debian base plus one nonce layer, pushed under a unique name, and
        the nonce the worker adds to every cache mount id (see the module's docstring)."""
        nonce = f"{self.run_id}-{label}-{uuid.uuid4().hex[:6]}"
        image = f"{REGISTRY}/bench-base/{nonce}:latest"
        folder = self.work / f"base-{nonce}"
        folder.mkdir()
        (folder / "Dockerfile").write_text(f"FROM {BASE_IMAGE}\nRUN echo {nonce} > /etc/bench-nonce\n")
        subprocess.run(
            ["docker", "buildx", "build", "--quiet", "--push", "--provenance=false", "-t", image,
             str(folder)], check=True, capture_output=True,
        )  # fmt: skip
        self.created.append(image)
        return {"base": image, "nonce": nonce}

    def install_floor(self) -> dict[str, float]:
        """The cold spec's installs with no image export, on a fresh base (`install_floor`)."""
        fresh = self.fresh_base("floor")
        self.say("install floor: apt git + uv pip install numpy pandas scikit-learn, no export")
        return install_floor(fresh["base"])

    def cleanup(self) -> None:
        """Remove from the engine what this run made (bases and built images); the registry keeps its
        copies under this run's unique names."""
        listed = subprocess.run(
            ["docker", "image", "ls", "--format", "{{.Repository}}:{{.Tag}}"], capture_output=True, text=True
        ).stdout.split()
        mine = [i for i in listed if self.run_id in i] + self.created
        if mine:
            subprocess.run(["docker", "image", "rm", "-f", *sorted(set(mine))], capture_output=True)

    # --- running ----------------------------------------------------------------------------------------
    def run(self, tool: str, task: dict[str, Any]) -> dict[str, Any]:
        task = {"work_dir": str(self.work / "dockyard-work"), **task, "repeat": self.repeat}
        env = {**os.environ, "FLYTE_SDK_LOGGING_LEVEL": "40", "PYTHONWARNINGS": "ignore"}
        env.pop("VIRTUAL_ENV", None)
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # both tools import from bytecode, as installed tools do
        if tool == "dockyard":  # the frozen copy comes first on sys.path, before the editable install
            env["PYTHONPATH"] = str(self.snapshot)
        started = time.perf_counter()
        command = [str(self.python[tool]), str(Path(__file__).resolve()), "--worker", tool]
        out = subprocess.run(
            [*command, "--task", json.dumps(task)], capture_output=True, text=True, env=env, cwd=self.work
        )
        wall = time.perf_counter() - started
        self.log.write(f"=== {tool} {task['kind']} {task.get('label', '')} rc={out.returncode}\n")
        self.log.write(out.stdout + out.stderr)
        self.log.flush()
        lines = [line for line in out.stdout.splitlines() if line.startswith(MARK)]
        if out.returncode != 0 or not lines:
            raise SystemExit(f"{tool} {task['kind']} failed (see {self.log.name}):\n{out.stderr[-3000:]}")
        result: dict[str, Any] = json.loads(lines[-1][len(MARK) :])
        result["wall_s"] = wall
        return result

    def spec(self, tool: str, label: str, packages: list[str], **extra: Any) -> dict[str, Any]:
        return {"name": f"bench-{tool}-{label}-{self.run_id}", "packages": packages, **extra}

    def tag_scenario(self, tool: str) -> dict[str, Any]:
        """Tag of the 10k-file tree: cold (first call of a fresh process, dockyard's stat cache empty), then
        warm (median of --repeat further calls; dockyard reloads its stat cache from disk for each)."""
        self.say(f"{tool}: tag of a {TREE_FILES:,}-file tree, cold then x{self.repeat} warm")
        tree = {"kind": "tag", "specs": [self.spec(tool, "tree", ["numpy"], source_root=self.tree.name)],
                "work_dir": str(self.work / f"tag-work-{uuid.uuid4().hex[:8]}")}  # fmt: skip
        result = self.run(tool, tree)
        return {"tag10k_cold": result["cold_s"], "tag10k": result["seconds"]}

    def scenarios(self, tool: str) -> dict[str, Any]:
        figures: dict[str, Any] = {"loads": {}}
        src = self.source_tree(f"src-{tool}")
        big = {"kind": "ensure", "specs": [self.spec(tool, "big", BIG_PACKAGES, apt_packages=["git"],
                                                     source_root=src.name)],
               **self.fresh_base(f"{tool}-big")}  # fmt: skip

        self.say(f"{tool}: cold build + push (numpy, pandas, scikit-learn, git, 5 files)")
        cold = self.run(tool, {**big, "label": "cold"})
        assert cold["built"] == [True], f"{tool}: the cold build did not build"
        figures["cold"] = cold["seconds"]
        figures["loads"]["cold"] = os.getloadavg()[0]
        figures["image"] = cold["images"][0]
        figures["size"] = pushed_size(cold["images"][0])

        self.say(f"{tool}: no-change repeat x{self.repeat}")
        repeats = [self.run(tool, {**big, "label": "no-change"}) for _ in range(self.repeat)]
        assert not any(any(r["built"]) for r in repeats), f"{tool}: a no-change repeat rebuilt"
        figures["nochange"] = statistics.median(r["seconds"] for r in repeats)
        figures["nochange_wall"] = statistics.median(r["wall_s"] for r in repeats)
        figures["import"] = statistics.median(r["import_s"] for r in repeats)
        figures["loads"]["nochange"] = figures["loads"]["nochange_wall"] = os.getloadavg()[0]
        figures["nochange_source"] = ",".join(sorted({s for r in repeats for s in r.get("sources", [])}))
        if tool == "dockyard":  # flytekit has no answer cache; this is dockyard asking the registry too
            self.say(f"{tool}: no-change repeat without the answer cache x{self.repeat}")
            asked = [self.run(tool, {**big, "label": "no-change-registry", "no_answer_cache": True})
                     for _ in range(self.repeat)]  # fmt: skip
            assert not any(any(r["built"]) for r in asked), f"{tool}: a no-change repeat rebuilt"
            assert {s for r in asked for s in r["sources"]} == {"registry"}, "the answer cache was used"
            figures["nochange_registry"] = statistics.median(r["seconds"] for r in asked)
            figures["nochange_registry_wall"] = statistics.median(r["wall_s"] for r in asked)
            figures["loads"]["nochange_registry"] = os.getloadavg()[0]
            figures["loads"]["nochange_registry_wall"] = figures["loads"]["nochange_registry"]

        self.say(f"{tool}: source-only change x{self.repeat}")
        changes = []
        for i in range(self.repeat):
            with (src / "module_0.py").open("a") as module:
                module.write(f"# edit {i}\n")
            result = self.run(tool, {**big, "label": f"source-change-{i}"})
            assert result["built"] == [True], f"{tool}: a source change did not rebuild (tag unchanged?)"
            changes.append(result)
        figures["source"] = statistics.median(r["seconds"] for r in changes)
        figures["loads"]["source"] = os.getloadavg()[0]

        figures.update(self.tag_scenario(tool))
        figures["loads"]["tag10k"] = figures["loads"]["tag10k_cold"] = os.getloadavg()[0]

        self.say(f"{tool}: three small independent specs")
        small = {
            "kind": "ensure",
            "specs": [self.spec(tool, f"small{i}", [p]) for i, p in enumerate(SMALL_PACKAGES)],
            **self.fresh_base(f"{tool}-small"),
        }
        three = self.run(tool, {**small, "label": "three"})
        assert three["built"] == [True] * 3, f"{tool}: not all three small specs were built"
        figures["three"] = three["seconds"]
        figures["loads"]["three"] = os.getloadavg()[0]
        return figures

    def version(self, tool: str) -> str:
        return subprocess.run(
            [str(self.python[tool]), "-c", f"import importlib.metadata as m; print(m.version('{tool}'))"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip

    def main(self) -> dict[str, dict[str, Any]]:
        self.preflight()
        self.big_tree()
        time.sleep(2.5)  # past the stat cache's racy window (files changed < 2 s before a read)
        results: dict[str, dict[str, Any]] = {"floor": self.install_floor()}
        results["floor"]["loads"] = {"floor": os.getloadavg()[0]}
        for tool in self.tools:
            results[tool] = self.scenarios(tool)
            results[tool]["version"] = self.version(tool)
        return results


def install_floor(base: str) -> dict[str, float]:
    """The cold spec's installs with no image export: a container of `base` (one no build has seen) runs
    apt-get install git, then uv venv + uv pip install of the big packages, as dockyard's template does
    (same uv binary, bytecode compiled, copy link mode), with empty download caches. Returns seconds:
    total, apt, uv."""
    uv = subprocess.run(
        [str(DOCKYARD_PYTHON), "-c", "from uv import find_uv_bin; print(find_uv_bin())"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    script = (
        "set -e; s=$(date +%s.%N); "
        "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "
        "--no-install-recommends git >/dev/null; a=$(date +%s.%N); "
        "export UV_LINK_MODE=copy UV_COMPILE_BYTECODE=1 UV_PYTHON_DOWNLOADS=never UV_NO_CONFIG=1 "
        "SSL_CERT_FILE=/run/ca.crt; "
        "/uv/uv venv -q --python-preference only-system --python /usr/bin/python3 /opt/venv && "
        f"/uv/uv pip install -q --python /opt/venv/bin/python {' '.join(BIG_PACKAGES)}; "
        "u=$(date +%s.%N); echo FLOOR $s $a $u"
    )
    started = time.perf_counter()
    out = subprocess.run(
        ["docker", "run", "--rm", "--network", "host", "-v", f"{uv}:/uv/uv:ro",
         "-v", f"{CA_BUNDLE}:/run/ca.crt:ro", base, "sh", "-c", script],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    total = time.perf_counter() - started
    start, apt, end = (float(x) for x in out.stdout.split("FLOOR ", 1)[1].split())
    return {"floor": total, "floor_apt": apt - start, "floor_uv": end - apt}


def pushed_size(image: str) -> int | None:
    """Compressed bytes of an image's layers in the registry (the host platform's manifest of an index)."""
    repository, tag = image.rsplit(":", 1)
    host, name = repository.split("/", 1)
    accept = ", ".join([
        "application/vnd.oci.image.index.v1+json", "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.docker.distribution.manifest.v2+json",
    ])  # fmt: skip

    def get(reference: str) -> dict[str, Any]:
        request = urllib.request.Request(
            f"http://{host}/v2/{name}/manifests/{reference}", headers={"Accept": accept}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return dict(json.load(response))

    try:
        manifest = get(tag)
        if "manifests" in manifest:
            (entry,) = [
                m for m in manifest["manifests"] if m.get("platform", {}).get("architecture") == "amd64"
            ]
            manifest = get(entry["digest"])
        return sum(int(layer["size"]) for layer in manifest["layers"])
    except (OSError, ValueError, KeyError):
        return None


def table(results: dict[str, dict[str, Any]], repeat: int) -> str:
    tools = [t for t in ("flytekit", "dockyard") if t in results]
    versions = ", ".join(f"{t} {results[t]['version']}" for t in tools)
    floor = results["floor"]
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    floor_cell = (
        f"{floor['floor']:.1f} [{floor['loads']['floor']:.1f}] "
        f"(apt {floor['floor_apt']:.1f}, uv {floor['floor_uv']:.1f})"
    )
    lines = [
        f"{versions}; {os.cpu_count()} CPUs; medians of {repeat} fresh processes where repeated; the "
        f"1-minute load average after each figure in brackets; measured {when}.",
        "",
        "| scenario | "
        + " | ".join(f"{t} (s) [load]" for t in tools)
        + (" | dockyard / flytekit |" if len(tools) == 2 else " |"),
        "|---|" + "---:|" * (len(tools) + (len(tools) == 2)),
        f"| install floor: apt git + uv pip install (no export) | {floor_cell} |"
        + " |" * (len(tools) - 1 + (len(tools) == 2)),
    ]
    rows = [
        ("cold", "cold build + push (numpy, pandas, scikit-learn, apt git, 5 files)"),
        ("nochange", "no-change repeat: existence check, in process"),
        ("nochange_wall", "no-change repeat: whole process, interpreter start included"),
        ("nochange_registry", "no-change repeat, registry asked (no answer cache), in process"),
        ("nochange_registry_wall", "no-change repeat, registry asked, whole process"),
        ("import", "`import` of the tool (inside the no-change process)"),
        ("source", "source-only change: rebuild + push"),
        ("tag10k_cold", f"tag of a {TREE_FILES:,}-file source tree, cold (first call in a fresh process)"),
        ("tag10k", f"tag of a {TREE_FILES:,}-file source tree, warm (dockyard: stat cache from disk)"),
        ("three", "3 small independent specs, built together (fresh base and caches)"),
    ]
    for key, label in rows:
        cells = []
        for t in tools:
            load = results[t]["loads"].get(key)
            cells.append(
                (f"{results[t][key]:.3f}" + (f" [{load:.1f}]" if load is not None else ""))
                if key in results[t] else "n/a"
            )  # fmt: skip
        if len(tools) == 2:
            both = key in results["flytekit"] and key in results["dockyard"]
            cells.append(f"{results['dockyard'][key] / results['flytekit'][key]:.2f}" if both else "")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    sizes = [results[t]["size"] for t in tools]
    lines.append(
        "| pushed size of the cold image (compressed layers) | "
        + " | ".join(f"{s / 1e6:.0f} MB" if s else "?" for s in sizes)
        + " |"
    )
    lines.append("")
    for t in tools:
        lines.append(f"{t} cold build / install floor: {results[t]['cold'] / floor['floor']:.2f}.")
    if "dockyard" in results:
        lines += ["", f"dockyard's no-change answers came from: {results['dockyard']['nochange_source']}."]
    return "\n".join(lines)


def tag_table(rounds: list[tuple[float, dict[str, dict[str, Any]]]], repeat: int) -> str:
    """--tag-only: one row per round, with the load average it ran under, and the worse ratio of all."""
    lines = [
        f"flytekit {rounds[0][1]['flytekit']['version']}, dockyard {rounds[0][1]['dockyard']['version']}; "
        f"{os.cpu_count()} CPUs; {TREE_FILES:,} files; cold = first call in a fresh process (dockyard's stat "
        f"cache empty), warm = median of {repeat} further calls in it; measured "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.",
        "",
        "| round | load (1 min) | flytekit cold (s) | dockyard cold (s) | ratio | flytekit warm (s) "
        "| dockyard warm (s) | ratio |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    worst = {"tag10k_cold": 0.0, "tag10k": 0.0}
    for number, (load, results) in enumerate(rounds, start=1):
        flyte, dock = results["flytekit"], results["dockyard"]
        cells = [str(number), f"{load:.1f}"]
        for key in worst:
            ratio = dock[key] / flyte[key]
            worst[key] = max(worst[key], ratio)
            cells += [f"{flyte[key]:.3f}", f"{dock[key]:.3f}", f"{ratio:.2f}"]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", f"Worse ratio of the rounds: cold {worst['tag10k_cold']:.2f}, warm {worst['tag10k']:.2f}."]
    return "\n".join(lines)


def write_section(text: str, name: str = "imagespec_vs_flytekit", title: str = "ImageSpec builds") -> None:
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    body = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    section = f"{start}\n{text}\n{end}"
    if start in body and end in body:
        head, rest = body.split(start, 1)
        body = head + section + rest.split(end, 1)[1]
    else:
        body = body.rstrip("\n") + f"\n\n## {title}: dockyard vs flytekit\n\n" + section + "\n"
    RESULTS.write_text(body)


def tag_rounds(repeat: int, rounds: int) -> str:
    """--tag-only: both tools, alternating, `rounds` times on one tree (no Docker needed)."""
    driver = Driver(repeat, ["flytekit", "dockyard"])
    measured = []
    try:
        driver.big_tree()
        time.sleep(2.5)  # past the stat cache's racy window (files changed < 2 s before a read)
        versions = {t: driver.version(t) for t in driver.tools}
        for _ in range(rounds):
            results = {t: {**driver.tag_scenario(t), "version": versions[t]} for t in driver.tools}
            measured.append((os.getloadavg()[0], results))
    finally:
        driver.log.close()
        shutil.rmtree(driver.tree, ignore_errors=True)
    return tag_table(measured, repeat)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", choices=["flytekit", "dockyard"], help="run one side only")
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    parser.add_argument("--tag-only", action="store_true", help="only the 10k-file tag rows, both tools")
    parser.add_argument("--rounds", type=int, default=2, help="--tag-only: alternating rounds")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--task", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, json.loads(args.task))
        return
    if args.tag_only:
        text = tag_rounds(args.repeat, args.rounds)
        print(text)
        if args.write:
            write_section(text, "imagespec_tag", "Tag of a 10,000-file tree")
        return
    tools = [args.only] if args.only else ["flytekit", "dockyard"]
    driver = Driver(args.repeat, tools)
    try:
        results = driver.main()
    finally:
        driver.log.close()
        driver.cleanup()
    text = table(results, args.repeat)
    print(text)
    (driver.work / "results.json").write_text(json.dumps(results, indent=2))
    if args.write:
        write_section(text)
    shutil.rmtree(driver.work / "tree10k", ignore_errors=True)


if __name__ == "__main__":
    main()
