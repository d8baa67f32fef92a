"""Accelerator constants carry flytekit 1.16's device and partition names: clusters are labelled with them."""

from __future__ import annotations

import pytest

from dockyard.extras import accelerators as acc
from dockyard.extras.accelerators import A100, A100_80GB, H100, T4, V5E, V5P, V6E, GPUAccelerator

# Device strings as flytekit 1.16.31 defines them (checked against flytekit.extras.accelerators).
FLYTEKIT_DEVICES = {
    "A10G": "nvidia-a10g",
    "L4": "nvidia-l4",
    "L4_VWS": "nvidia-l4-vws",
    "L40S": "nvidia-l40s",
    "K80": "nvidia-tesla-k80",
    "M60": "nvidia-tesla-m60",
    "P4": "nvidia-tesla-p4",
    "P100": "nvidia-tesla-p100",
    "T4": "nvidia-tesla-t4",
    "V100": "nvidia-tesla-v100",
    "H100": "nvidia-h100",
    "H200": "nvidia-h200",
    "RTX_PRO_6000": "nvidia-rtx-pro-6000",
    "A100": "nvidia-tesla-a100",
    "A100_80GB": "nvidia-a100-80gb",
    "V5E": "tpu-v5-lite-podslice",
    "V5P": "tpu-v5p-slice",
    "V6E": "tpu-v6e-slice",
}


@pytest.mark.parametrize(("name", "device"), sorted(FLYTEKIT_DEVICES.items()))
def test_constants_have_flytekit_device_names(name: str, device: str) -> None:
    constant = getattr(acc, name)
    assert constant.device == device
    assert constant.to_dict() == {"device": device}


@pytest.mark.parametrize(
    ("whole", "partition", "size"),
    [
        (A100, A100.partition_1g_5gb, "1g.5gb"),
        (A100, A100.partition_2g_10gb, "2g.10gb"),
        (A100, A100.partition_3g_20gb, "3g.20gb"),
        (A100, A100.partition_4g_20gb, "4g.20gb"),
        (A100, A100.partition_7g_40gb, "7g.40gb"),
        (A100_80GB, A100_80GB.partition_1g_10gb, "1g.10gb"),
        (A100_80GB, A100_80GB.partition_2g_20gb, "2g.20gb"),
        (A100_80GB, A100_80GB.partition_3g_40gb, "3g.40gb"),
        (A100_80GB, A100_80GB.partition_4g_40gb, "4g.40gb"),
        (A100_80GB, A100_80GB.partition_7g_80gb, "7g.80gb"),
        (V5E, V5E.slice_2x4, "2x4"),
        (V5P, V5P.slice_16x16x24, "16x16x24"),
        (V6E, V6E.slice_16x16, "16x16"),
    ],
)
def test_partitions(
    whole: acc.MultiInstanceGPUAccelerator, partition: acc.MultiInstanceGPUAccelerator, size: str
) -> None:
    assert partition.to_dict() == {"device": whole.device, "partition_size": size}
    assert type(partition) is type(whole)


def test_whole_device_unpartitioned_and_partitioned_differ() -> None:
    assert A100.to_dict() == {"device": "nvidia-tesla-a100"}
    assert A100.unpartitioned.to_dict() == {"device": "nvidia-tesla-a100", "unpartitioned": True}
    assert A100 != A100.unpartitioned != A100.partition_1g_5gb
    assert A100.partition_1g_5gb == A100.partitioned("1g.5gb")
    assert len({A100.partition_1g_5gb, A100.partition_1g_5gb, A100.partition_2g_10gb}) == 2


def test_any_gpu_by_name() -> None:
    custom = GPUAccelerator("nvidia-a100-80gb")
    assert custom.device == "nvidia-a100-80gb"
    assert GPUAccelerator("nvidia-tesla-t4") == T4 and T4 != H100
    assert repr(custom) == "GPUAccelerator(device='nvidia-a100-80gb')"
    with pytest.raises(ValueError, match="device"):
        GPUAccelerator("")
