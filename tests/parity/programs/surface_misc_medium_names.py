"""Smaller public names: Labels/Annotations on launch plans, BatchSize, folder formats, str2bool."""

from typing import List

from flytekit import Annotations, BatchSize, Labels, LaunchPlan, task, workflow
from flytekit.core.utils import str2bool
from flytekit.types.directory import TensorboardLogs, TFRecordsDirectory
from typing_extensions import Annotated


@task
def total(xs: Annotated[List[int], BatchSize(2)]) -> int:
    return sum(xs)


@workflow
def wf(xs: List[int]) -> int:
    return total(xs=xs)


lp = LaunchPlan.get_or_create(
    wf, name="surface_labelled", labels=Labels({"team": "ml"}), annotations=Annotations({"owner": "me"})
)
print(lp(xs=[1, 2, 3]), Labels({"a": "b"}).values, BatchSize(4).val)
print([str2bool(v) for v in ["True", "t", "1", "yes", "0", None]])
print(TensorboardLogs is not None, TFRecordsDirectory is not None)
