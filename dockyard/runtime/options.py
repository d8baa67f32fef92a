"""What a run is told beyond its inputs: pyflyte's execution flags (`--name`, `--env`, `--labels`, …).

One frozen value travels from `dockyard run` (or a Python caller) through `run_remote` to the orchestrator,
which records it in the execution record and gives `env` to every container. Environment variables reach
the containers only: they are never part of an image, so they never change an image's tag.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace


@dataclass(frozen=True)
class RunOptions:
    name: str | None = None  # the execution id to use (default: a new random one)
    project: str = "dockyard"
    domain: str = "development"
    env: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)
    service_account: str | None = None
    raw_output_prefix: str | None = None
    overwrite_cache: bool = False

    def over(self, base: RunOptions) -> RunOptions:
        """These options where given (not their defaults), `base`'s elsewhere: a resume keeps the run's
        recorded flags, and a flag given again on the resume's command line wins."""
        default = RunOptions()
        given = {f.name: getattr(self, f.name) for f in fields(self)}
        return replace(base, **{k: v for k, v in given.items() if v != getattr(default, k)})
