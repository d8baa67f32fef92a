"""flytekit's `flytekit.core.artifact` import path."""

from dockyard.sdk.artifact import Artifact, ArtifactIDSpecification, ArtifactQuery

__all__ = ["Artifact", "ArtifactIDSpecification", "ArtifactQuery"]
