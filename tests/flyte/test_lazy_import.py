"""FlyteIDL loads only when serializing or executing under propeller: not with `import dockyard`, the SDK
or the CLI's start-up."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("flyteidl", "grpc", "google.protobuf", "mashumaro", "msgpack")


def _loaded(code: str) -> list[str]:
    heavy = f"m.split('.')[0] in {HEAVY!r} or m.startswith('google.protobuf')"
    probe = f"{code}\nimport sys\nprint(' '.join(m for m in sys.modules if {heavy}))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    return out.split()


def test_import_dockyard_loads_no_flyteidl() -> None:
    assert _loaded("import dockyard\nfrom dockyard import task, workflow, map_task, LaunchPlan") == []


def test_cli_start_loads_no_flyteidl() -> None:
    assert _loaded("import dockyard.cli.main") == []


def test_serializer_loads_flyteidl() -> None:
    """The probe itself works: the serializer does load it."""
    assert "flyteidl" in _loaded("import dockyard.flyte.serialize")
