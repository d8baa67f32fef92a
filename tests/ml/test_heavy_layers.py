"""Heavy packages get layers of their own, in name order, before the rest; from a lock, exactly its pins."""

from __future__ import annotations

from pathlib import Path

from dockyard.config import BuildSettings
from dockyard.imagespec import ImageSpec, resolve
from dockyard.imagespec.heavy_layers import heavy_names, layer_files, lock_entries
from dockyard.imagespec.render import RenderOptions, render

LOCK = """\
# dockyard-lock-inputs: 0
filelock==3.16.1 \\
    --hash=sha256:aa
    # via torch
nvidia-cublas-cu12==12.4.5.8 ; platform_machine == 'x86_64' \\
    --hash=sha256:bb \\
    --hash=sha256:cc
    # via torch
Torch==2.5.1 \\
    --hash=sha256:dd
    # via -r requirements.in
"""


def test_lock_entries_keep_pins_markers_and_hashes() -> None:
    entries = lock_entries(LOCK)
    assert list(entries) == ["filelock", "nvidia-cublas-cu12", "torch"]
    assert entries["nvidia-cublas-cu12"] == (
        "nvidia-cublas-cu12==12.4.5.8 ; platform_machine == 'x86_64' \\\n"
        "    --hash=sha256:bb \\\n    --hash=sha256:cc\n"
    )


def test_heavy_names_are_matched_by_pattern_and_sorted() -> None:
    patterns = BuildSettings().heavy_packages
    assert heavy_names(["torch==2.5.1", "six", "NVIDIA_NCCL_CU12>=2", "tensorflow-cpu"], patterns) == (
        "nvidia-nccl-cu12",
        "tensorflow-cpu",
        "torch",
    )
    assert heavy_names(["six"], patterns) == ()


def test_layer_files_from_packages_and_from_a_lock() -> None:
    assert layer_files(("torch",), ("six", "torch>=2; python_version > '3.9'"), None) == {
        "00-torch.txt": "torch>=2; python_version > '3.9'\n"
    }
    from_lock = layer_files(("nvidia-cublas-cu12", "torch"), (), LOCK)
    assert list(from_lock) == ["00-nvidia-cublas-cu12.txt", "01-torch.txt"]
    assert from_lock["01-torch.txt"] == "Torch==2.5.1 \\\n    --hash=sha256:dd\n"


def test_each_heavy_package_is_a_layer_before_the_rest(project: Path, settings: BuildSettings) -> None:
    spec = ImageSpec(packages=["six", "torch==2.5.1", "nvidia-nccl-cu12"], platform="linux/amd64")
    resolved = resolve(spec, settings)
    assert resolved.heavy_layers == ("nvidia-nccl-cu12", "torch")
    text = render(resolved, RenderOptions())
    order = [
        text.index("gen/heavy/00-nvidia-nccl-cu12.txt"),
        text.index("gen/heavy/01-torch.txt"),
        text.index("gen/packages.txt"),
    ]
    assert order == sorted(order)
    # The split is part of the image's identity; without heavy packages nothing changes in the hash.
    flat = settings.model_copy(update={"heavy_packages": []})
    assert resolve(spec, flat).spec_hash() != resolved.spec_hash()
    assert "heavy_layers" not in resolve(ImageSpec(packages=["six"]), settings).canonical_json()
