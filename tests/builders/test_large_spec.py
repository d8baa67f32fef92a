"""A spec with 5,000 packages gets through rendering, and no builder's argv grows with it.

Labels, the inputs label above all (it lists every package), used to travel as `--label` on buildx's command
line and `--opt label:` on buildctl's, and overflowed an argument's 128 KiB (`OSError: Argument list too
long`). They now travel as the Dockerfile's last instruction, split over lines under BuildKit's 64 KiB line
limit; the real build below proves BuildKit reads such a label back byte for byte.
"""

from __future__ import annotations

import gzip
import io
import json
import subprocess
import tarfile
import uuid
from pathlib import Path

import pytest

from dockyard.builders.docker import DockerBuilder
from dockyard.config import BuildSettings
from dockyard.errors import SpecError
from dockyard.imagespec import BuildContext, ImageSpec, prepare
from dockyard.imagespec.render import label_instructions
from dockyard.kubernetes.build_manifests import buildctl_args
from dockyard.kubernetes.context_tarball import pack_context

from .conftest import build_settings

PACKAGES = [f"package-number-{i:04d}==1.{i}.0" for i in range(5000)]  # a 150 KiB inputs label
ARGV_LIMIT = 4096  # the whole command line, whatever the spec: far under one argument's 128 KiB


@pytest.fixture
def large(tmp_path: Path, base_image: str) -> BuildContext:
    settings = BuildSettings(work_dir=tmp_path / "work", default_base_image=base_image)
    spec = ImageSpec(name=f"large-{uuid.uuid4().hex[:8]}", packages=PACKAGES, apt_packages=["curl"])
    return prepare(spec, settings, work_dir=tmp_path / "work")


def test_the_builders_argv_stays_small_and_the_labels_are_in_the_dockerfile(
    large: BuildContext, tmp_path: Path
) -> None:
    context = large
    inputs = context.labels["dockyard.inputs"]
    assert len(inputs) > 128 * 1024 and all(p in inputs for p in (PACKAGES[0], PACKAGES[-1]))
    settings = build_settings(tmp_path / "w", labels={"team": "ml"})
    argv = DockerBuilder(settings).command(context, push=True, metadata_file=tmp_path / "meta.json")
    assert len(" ".join(argv)) < ARGV_LIMIT, argv
    assert not any(arg.startswith("--label") for arg in argv)
    labeled = Path(argv[argv.index("--file") + 1]).read_text()
    assert labeled.startswith(context.dockerfile.read_text())
    assert max(len(line) for line in labeled.splitlines()) < 64 * 1024
    assert '"team"="ml"' in labeled
    args = buildctl_args(context, settings.build, settings.kubernetes, push=True)
    assert len(" ".join(args)) < ARGV_LIMIT and not any("label:" in a for a in args)
    packed = gzip.decompress(pack_context(context.directory, labeled))
    with tarfile.open(fileobj=io.BytesIO(packed)) as tar:
        member = tar.extractfile("Dockerfile")
        assert member is not None and member.read().decode() == labeled


def test_a_label_with_a_line_break_is_refused_naming_it() -> None:
    with pytest.raises(SpecError, match="label 'team'"):
        label_instructions({"team": "ml\nRUN rm -rf /"})


@pytest.mark.docker
def test_buildkit_reads_a_label_of_every_size_back_exactly(base_image: str, tmp_path: Path) -> None:
    """The labels of the 5,000-package spec, plus the awkward characters, on the base image alone (the
    packages themselves do not exist): what `docker image inspect` gives back is what was rendered."""
    inputs = json.dumps({"packages": PACKAGES, "odd": 'a "quoted" $HOME \\ # x   y'}, separators=(",", ":"))
    labels = {"dockyard.inputs": inputs, "dockyard.small": "#  leading"}
    (tmp_path / "Dockerfile").write_text(f"FROM {base_image}\n" + label_instructions(labels))
    tag = f"dockyard-test/large-label:{uuid.uuid4().hex[:10]}"
    argv = ["docker", "buildx", "build", "--quiet", "--load", "--tag", tag, str(tmp_path)]
    built = subprocess.run(argv, capture_output=True, text=True, timeout=300, check=False)
    try:
        assert built.returncode == 0, built.stderr[-2000:]
        shown = subprocess.run(
            ["docker", "image", "inspect", "--format", "{{json .Config.Labels}}", tag],
            capture_output=True, text=True, timeout=60, check=True,
        )  # fmt: skip
        got = json.loads(shown.stdout)
        assert {key: got.get(key) for key in labels} == labels
    finally:
        subprocess.run(["docker", "image", "rm", "--force", tag], capture_output=True, check=False)
