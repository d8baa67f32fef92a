"""Errors every room raises, each rendered by the CLI as one line and a documented exit code.

A `DockyardError` message names the field or file at fault. The CLI prints `error: <message>` and exits
with `exit_code`; nothing else in the code base decides exit codes.
"""

from __future__ import annotations


class DockyardError(Exception):
    """Base class: a problem the user can fix, reported as one line."""

    exit_code = 1


class ConfigError(DockyardError):
    """Bad settings file, environment variable or flag."""

    exit_code = 2


class SpecError(DockyardError, ValueError):
    """An ImageSpec (Python or YAML) is invalid. The message names the field."""

    exit_code = 2


class BuildError(DockyardError):
    """An image build failed (a RUN step, a missing base image, an interrupted build)."""

    exit_code = 3
    logs: str = ""  # the builder's transcript, kept under build.work_dir/logs like a success's


class RuntimeConflictError(BuildError):
    """The dockyard runtime cannot go into an image without changing a package the user pinned: their
    input must change (exit 2), as for a bad spec."""

    exit_code = 2


class RegistryError(DockyardError):
    """The registry could not give a present/absent answer (unreachable, unauthorized, server error)."""

    exit_code = 4


class ExecutionError(DockyardError):
    """A task or workflow failed while running."""

    exit_code = 5


class StoreError(DockyardError):
    """The blob store could not be read or written."""

    exit_code = 6
