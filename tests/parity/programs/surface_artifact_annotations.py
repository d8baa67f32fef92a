"""Artifacts annotate task outputs; locally the tasks run as usual and create_from returns the value."""

import typing

import pandas as pd
from flytekit import Artifact, task, workflow
from flytekit.core.artifact import Artifact as CoreArtifact
from typing_extensions import Annotated

print(Artifact is CoreArtifact)

RideCount = Artifact(name="ride_count", partition_keys=["region"])
Model = Artifact(name="model")
print(RideCount.name, RideCount.partition_keys, Model.partition_keys, RideCount.time_partitioned)


@task
def count_rides(region: str) -> Annotated[pd.DataFrame, RideCount(region="sea")]:
    return pd.DataFrame({"region": [region], "rides": [3]})


@task
def train(frame: pd.DataFrame) -> Annotated[int, Model]:
    return Model.create_from(int(frame["rides"].sum()))


@workflow
def pipeline(region: str = "sea") -> typing.Tuple[pd.DataFrame, int]:
    frame = count_rides(region=region)
    return frame, train(frame=frame)


frame, score = pipeline()
print(frame.to_dict("list"), score)

query = RideCount.query(region="nyc")
print(type(query).__name__, query.name)

for bad in (lambda: Artifact(), lambda: RideCount("sea")):
    try:
        bad()
    except ValueError as e:
        print("ValueError:", e)
