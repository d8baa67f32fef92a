"""flytekit's `Artifact`: a name (with partition keys) under which a task's output is published.

Artifacts live in Flyte's artifact service, which a local run has not: as in flytekit, a local run accepts
them in output annotations (`Annotated[pd.DataFrame, Pricing(region="eu")]`), returns `create_from`'s value
unchanged and builds queries it never runs. dockyard's remote runs do not publish them either.
"""

from __future__ import annotations

from typing import Any

MAX_PARTITIONS = 10


class Artifact:
    """A named artifact declaration; calling it binds partition values for an output annotation."""

    def __init__(
        self,
        project: str | None = None,
        domain: str | None = None,
        name: str | None = None,
        version: str | None = None,
        time_partitioned: bool = False,
        time_partition: Any = None,
        time_partition_granularity: Any = None,
        partition_keys: list[str] | None = None,
        partitions: dict[str, str] | None = None,
    ) -> None:
        if not name:
            raise ValueError("Can't instantiate an Artifact without a name.")
        self.project, self.domain, self.name, self.version = project, domain, name, version
        self.time_partitioned = time_partitioned or time_partition is not None
        self.time_partition_granularity = time_partition_granularity
        if partitions is not None and not isinstance(partitions, dict):
            raise ValueError(f"Partitions must be a dict or Partitions object, not {type(partitions)}")
        self.partitions: dict[str, str | None] | None = dict(partitions) if partitions else None
        self.partition_keys = list(partitions) if partitions else partition_keys
        if self.partitions is None and partition_keys:
            self.partitions = dict.fromkeys(partition_keys)
        if self.partition_keys and len(self.partition_keys) > MAX_PARTITIONS:
            raise ValueError("There is a hard limit of 10 partition keys per artifact currently.")

    def __call__(self, *args: Any, **kwargs: Any) -> ArtifactIDSpecification:
        """Partition values (or `time_partition`) for an output annotation; by keyword only."""
        if args:
            raise ValueError("Cannot set partition values by position")
        return ArtifactIDSpecification(self, kwargs)

    def create_from(self, o: Any, card: Any = None, *args: Any, **kwargs: Any) -> Any:
        """Partition values decided in the task body; the value itself is returned unchanged."""
        return o

    def query(
        self,
        project: str | None = None,
        domain: str | None = None,
        time_partition: Any = None,
        partitions: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> ArtifactQuery:
        """A query for this artifact's latest version with these partition values (run by Flyte only)."""
        if self.partition_keys and {"project", "domain", "time_partition", "partitions", "tag"} & set(
            self.partition_keys
        ):
            raise ValueError(
                "There are conflicting partition key names, please rename use a partitions object"
            )
        if partitions and kwargs:
            raise ValueError("Please either specify kwargs or a partitions object not both")
        return ArtifactQuery(
            self,
            self.name,
            project or self.project,
            domain or self.domain,
            time_partition,
            dict(kwargs or partitions or self.partitions or {}),
        )


class ArtifactIDSpecification:
    """An artifact with partition values bound, as it appears in an output annotation."""

    def __init__(self, artifact: Artifact, values: dict[str, Any]) -> None:
        self.artifact = artifact
        self.time_partition = values.get("time_partition")
        self.partitions = {k: v for k, v in values.items() if k != "time_partition"}

    def __repr__(self) -> str:
        a = self.artifact
        return f"ArtifactIDSpecification({a.name}, {a.partition_keys}, TP: {a.time_partitioned})"


class ArtifactQuery:
    """Which version of an artifact a launch plan's input asks Flyte for."""

    def __init__(
        self,
        artifact: Artifact,
        name: str,
        project: str | None,
        domain: str | None,
        time_partition: Any,
        partitions: dict[str, Any],
    ) -> None:
        self.artifact, self.name, self.project, self.domain = artifact, name, project, domain
        self.time_partition, self.partitions = time_partition, partitions
