"""schemathesis against the console's own OpenAPI schema: generated requests (odd ids, odd query values)
over a store of real records never get a 500."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from dockyard.console.app import create_app
from dockyard.runtime.blobstore import LocalStore

from .conftest import console_settings, write_squares


def _app() -> object:
    import tempfile

    store = LocalStore(f"file://{tempfile.mkdtemp(prefix='dockyard-console-schema-')}/store")
    write_squares(store, "x1", created_at=1000.0)
    write_squares(store, "x2", created_at=2000.0, finished=False)
    return create_app(store, console_settings(store))


schema = schemathesis.openapi.from_asgi("/api/openapi.json", _app())


@schema.parametrize()
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=[not_a_server_error])


def test_schema_documents_every_route() -> None:
    paths = set(schema.raw_schema["paths"])
    assert {
        "/api/executions",
        "/api/executions/{execution_id}",
        "/api/executions/{execution_id}/nodes/{node_id}",
        "/api/executions/{execution_id}/nodes/{node_id}/logs",
        "/api/executions/{execution_id}/relaunch",
        "/api/images",
        "/api/launchplans",
    } <= paths
