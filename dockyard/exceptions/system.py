"""flytekit's `flytekit.exceptions.system`: failures of the platform rather than of user code."""

from dockyard.sdk.exceptions import (
    FlyteDownloadDataException,
    FlyteEntrypointNotLoadable,
    FlyteNonRecoverableSystemException,
    FlyteNotImplementedException,
    FlyteSystemAssertion,
    FlyteSystemException,
    FlyteSystemUnavailableException,
    FlyteUploadDataException,
)

__all__ = [
    "FlyteDownloadDataException",
    "FlyteEntrypointNotLoadable",
    "FlyteNonRecoverableSystemException",
    "FlyteNotImplementedException",
    "FlyteSystemAssertion",
    "FlyteSystemException",
    "FlyteSystemUnavailableException",
    "FlyteUploadDataException",
]
