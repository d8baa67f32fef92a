"""GPU and TPU accelerator constants under flytekit's import path (`flytekit.extras.accelerators`).

An accelerator names the device a task's pod must land on; locally it is recorded, not enforced. The device
strings and partition names are flytekit 1.16's, because the cluster's node labels are configured with them.
MIG partitions and TPU slices read as attributes: `A100.partition_2g_10gb`, `V5E.slice_2x4`.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

_UNSET: Any = object()  # "no partition said": distinct from `unpartitioned` (partition_size None)

MIG = TypeVar("MIG", bound="MultiInstanceGPUAccelerator")


class BaseAccelerator:
    """What every accelerator gives the executor: a device name and its serialized form."""

    device: str

    def to_dict(self) -> dict[str, Any]:
        return {"device": self.device}

    def __eq__(self, other: object) -> bool:
        return (
            type(other) is type(self)
            and isinstance(other, BaseAccelerator)
            and other.to_dict() == self.to_dict()
        )

    def __hash__(self) -> int:
        return hash((type(self).__name__, tuple(sorted(self.to_dict().items()))))

    def __repr__(self) -> str:
        details = ", ".join(f"{k}={v!r}" for k, v in self.to_dict().items())
        return f"{type(self).__name__}({details})"


class GPUAccelerator(BaseAccelerator):
    """Any GPU by its device name, e.g. `GPUAccelerator("nvidia-a100-80gb")`."""

    def __init__(self, device: str) -> None:
        if not isinstance(device, str) or not device:
            raise ValueError("GPUAccelerator.device: a device name is required")
        self.device = device


class MultiInstanceGPUAccelerator(BaseAccelerator):
    """A splittable device (NVIDIA MIG, TPU slices): the whole device unless a partition is picked."""

    def __init__(self, partition_size: str | None = _UNSET) -> None:
        self.partition_size = partition_size

    @classmethod
    def partitioned(cls: type[MIG], partition_size: str) -> MIG:
        """One partition of the device, by NVIDIA's (`"1g.5gb"`) or Google's (`"2x4"`) name."""
        return cls(partition_size)

    @property
    def unpartitioned(self: MIG) -> MIG:
        """The whole device, said explicitly (the scheduler then avoids MIG-enabled nodes)."""
        return type(self)(None)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"device": self.device}
        if self.partition_size is None:
            out["unpartitioned"] = True
        elif self.partition_size is not _UNSET:
            out["partition_size"] = self.partition_size
        return out


class _Partition(Generic[MIG]):
    """A named partition read as a class attribute: `A100.partition_1g_5gb`."""

    def __init__(self, size: str) -> None:
        self.size = size

    def __get__(self, instance: object, owner: type[MIG]) -> MIG:
        return owner.partitioned(self.size)


A10G = GPUAccelerator("nvidia-a10g")
L4 = GPUAccelerator("nvidia-l4")
L4_VWS = GPUAccelerator("nvidia-l4-vws")
L40S = GPUAccelerator("nvidia-l40s")
K80 = GPUAccelerator("nvidia-tesla-k80")
M60 = GPUAccelerator("nvidia-tesla-m60")
P4 = GPUAccelerator("nvidia-tesla-p4")
P100 = GPUAccelerator("nvidia-tesla-p100")
T4 = GPUAccelerator("nvidia-tesla-t4")
V100 = GPUAccelerator("nvidia-tesla-v100")
H100 = GPUAccelerator("nvidia-h100")
H200 = GPUAccelerator("nvidia-h200")
RTX_PRO_6000 = GPUAccelerator("nvidia-rtx-pro-6000")


class _A100(MultiInstanceGPUAccelerator):
    """NVIDIA A100 40GB and its MIG partitions."""

    device = "nvidia-tesla-a100"
    partition_1g_5gb = _Partition["_A100"]("1g.5gb")
    partition_2g_10gb = _Partition["_A100"]("2g.10gb")
    partition_3g_20gb = _Partition["_A100"]("3g.20gb")
    partition_4g_20gb = _Partition["_A100"]("4g.20gb")
    partition_7g_40gb = _Partition["_A100"]("7g.40gb")


class _A100_80GB(MultiInstanceGPUAccelerator):
    """NVIDIA A100 80GB and its MIG partitions."""

    device = "nvidia-a100-80gb"
    partition_1g_10gb = _Partition["_A100_80GB"]("1g.10gb")
    partition_2g_20gb = _Partition["_A100_80GB"]("2g.20gb")
    partition_3g_40gb = _Partition["_A100_80GB"]("3g.40gb")
    partition_4g_40gb = _Partition["_A100_80GB"]("4g.40gb")
    partition_7g_80gb = _Partition["_A100_80GB"]("7g.80gb")


class _V5E(MultiInstanceGPUAccelerator):
    """Google Cloud TPU v5e slices (topologies)."""

    device = "tpu-v5-lite-podslice"
    slice_1x1 = _Partition["_V5E"]("1x1")
    slice_2x2 = _Partition["_V5E"]("2x2")
    slice_2x4 = _Partition["_V5E"]("2x4")
    slice_4x4 = _Partition["_V5E"]("4x4")
    slice_4x8 = _Partition["_V5E"]("4x8")
    slice_8x8 = _Partition["_V5E"]("8x8")
    slice_8x16 = _Partition["_V5E"]("8x16")
    slice_16x16 = _Partition["_V5E"]("16x16")


class _V5P(MultiInstanceGPUAccelerator):
    """Google Cloud TPU v5p slices (topologies)."""

    device = "tpu-v5p-slice"
    slice_2x2x1 = _Partition["_V5P"]("2x2x1")
    slice_2x2x2 = _Partition["_V5P"]("2x2x2")
    slice_2x4x4 = _Partition["_V5P"]("2x4x4")
    slice_4x4x4 = _Partition["_V5P"]("4x4x4")
    slice_4x4x8 = _Partition["_V5P"]("4x4x8")
    slice_4x8x8 = _Partition["_V5P"]("4x8x8")
    slice_8x8x8 = _Partition["_V5P"]("8x8x8")
    slice_8x8x16 = _Partition["_V5P"]("8x8x16")
    slice_8x16x16 = _Partition["_V5P"]("8x16x16")
    slice_16x16x16 = _Partition["_V5P"]("16x16x16")
    slice_16x16x24 = _Partition["_V5P"]("16x16x24")


class _V6E(MultiInstanceGPUAccelerator):
    """Google Cloud TPU v6e slices (topologies)."""

    device = "tpu-v6e-slice"
    slice_1x1 = _Partition["_V6E"]("1x1")
    slice_2x2 = _Partition["_V6E"]("2x2")
    slice_2x4 = _Partition["_V6E"]("2x4")
    slice_4x4 = _Partition["_V6E"]("4x4")
    slice_4x8 = _Partition["_V6E"]("4x8")
    slice_8x8 = _Partition["_V6E"]("8x8")
    slice_8x16 = _Partition["_V6E"]("8x16")
    slice_16x16 = _Partition["_V6E"]("16x16")


A100 = _A100()
A100_80GB = _A100_80GB()
V5E = _V5E()
V5P = _V5P()
V6E = _V6E()
