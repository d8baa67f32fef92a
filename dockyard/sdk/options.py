"""flytekit's `Options` and the security context it carries: how an execution or launch plan is launched.

Plain data, as in flytekit: a local run records them and never acts on them (a launch plan's
`security_context` and `raw_output_data_config`, a workflow's `default_options`); remote runs take the
service account and the raw-output prefix from the run's own flags.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class Identity:
    """Who an execution runs as: an IAM role, a Kubernetes service account, or an OAuth2 client."""

    iam_role: str | None = None
    k8s_service_account: str | None = None
    oauth2_client: Any = None
    execution_identity: str | None = None


@dataclass
class SecurityContext:
    """The identity an execution runs as, with the secrets and tokens it may request."""

    run_as: Identity | None = None
    secrets: list[Any] | None = None
    tokens: list[Any] | None = None

    def __post_init__(self) -> None:  # flytekit accepts one secret or token for a list of them
        if self.secrets and not isinstance(self.secrets, list):
            self.secrets = [self.secrets]
        if self.tokens and not isinstance(self.tokens, list):
            self.tokens = [self.tokens]


@dataclass
class RawOutputDataConfig:
    """Where an execution's offloaded data (files, frames) goes: a store prefix."""

    output_location_prefix: str


@dataclass
class Options:
    """Options of one launch, overriding its launch plan's: labels, annotations, identity, data prefix..."""

    labels: Any = None
    annotations: Any = None
    raw_output_data_config: RawOutputDataConfig | None = None
    security_context: SecurityContext | None = None
    max_parallelism: int | None = None
    notifications: list[Any] | None = None
    disable_notifications: bool | None = None
    overwrite_cache: bool | None = None

    @classmethod
    def default_from(
        cls, k8s_service_account: str | None = None, raw_data_prefix: str | None = None
    ) -> Options:
        """Options with only a service account and a raw-data prefix, each when given."""
        return cls(
            security_context=(
                SecurityContext(run_as=Identity(k8s_service_account=k8s_service_account))
                if k8s_service_account
                else None
            ),
            raw_output_data_config=RawOutputDataConfig(raw_data_prefix) if raw_data_prefix else None,
        )
