"""The console's ASGI app: a JSON API under /api/ (its OpenAPI schema at /api/openapi.json) and the static
page that uses it and nothing else.

Access: with a token configured (`console.token`), every API request carries it (`Authorization: Bearer`,
or the cookie the page gets from `/?token=…`). Writes are POSTs that carry the CSRF cookie's value in the
`X-CSRF-Token` header (double submit), and a cross-site Origin is refused.
"""

from __future__ import annotations

import hmac
import secrets
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from importlib import resources
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import Body, FastAPI, HTTPException, Path, Query, Request, Response
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel

from dockyard.config import Settings
from dockyard.console import actions, catalog, dag, details, logs
from dockyard.console.index import ExecutionIndex
from dockyard.console.index import Query as IndexQuery
from dockyard.errors import DockyardError, StoreError
from dockyard.runtime.blobstore.base import Store
from dockyard.runtime.record import ExecutionRecord, IndexEntry, NodeRecord, load_record

TOKEN_COOKIE = "dockyard_console_token"
CSRF_COOKIE = "dockyard_csrf"
CSRF_HEADER = "x-csrf-token"
# ids as the runtime makes them (and `--name` allows): no path separators, no dot segments
ID = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$"
STATIC = resources.files("dockyard.console") / "static"

ExecutionId = Annotated[str, Path(pattern=ID, description="An execution id.")]
NodeId = Annotated[str, Path(pattern=ID, description="A node id, as the record names it (n0-n1, n0-n2-3).")]


class ExecutionList(BaseModel):
    total: int
    items: list[IndexEntry]
    facets: dict[str, list[str]]


class ExecutionView(BaseModel):
    record: ExecutionRecord
    dag: dag.Dag
    inputs: dict[str, details.Value]
    outputs: dict[str, details.Value]
    cli: str


class RelaunchRequest(BaseModel):
    inputs: dict[str, str] = {}  # input name -> value as text, as on the command line


class Launched(BaseModel):
    execution_id: str


class Problem(BaseModel):
    detail: str


def create_app(store: Store, settings: Settings, *, refresh_s: float = 1.0) -> FastAPI:
    index = ExecutionIndex(store, refresh_s)
    token = settings.console.token
    drivers: list[threading.Thread] = []  # relaunched runs driven by this process

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        index.start()
        yield
        index.stop()

    app = FastAPI(
        title="dockyard console",
        description="Executions, their DAG, logs and images, read from the blob store.",
        version="1",
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.index, app.state.drivers = index, drivers

    @app.middleware("http")
    async def guard(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        if request.url.path.startswith("/api/"):
            if token is not None and not _has_token(request, token):
                return JSONResponse({"detail": "a valid console token is required"}, status_code=401)
            if request.method not in ("GET", "HEAD", "OPTIONS"):
                problem = _csrf_problem(request)
                if problem is not None:
                    return JSONResponse({"detail": problem}, status_code=403)
        return await call_next(request)

    @app.exception_handler(DockyardError)
    async def dockyard_error(_: Request, exc: DockyardError) -> JSONResponse:
        status = 404 if isinstance(exc, StoreError) else 400
        return JSONResponse({"detail": str(exc)}, status_code=status)

    errors: dict[int | str, dict[str, Any]] = {
        404: {"model": Problem, "description": "No such execution or node."},
        401: {"model": Problem, "description": "The console token is missing or wrong."},
    }

    def record_of(execution_id: str) -> ExecutionRecord:
        try:
            return load_record(store, execution_id)
        except StoreError as exc:
            raise HTTPException(404, str(exc)) from None

    def node_of(record: ExecutionRecord, node_id: str) -> NodeRecord:
        found = record.nodes.get(node_id)
        if found is not None:
            return found
        drawn = {
            n.id for n in dag.build_dag(store, record).nodes
        }  # a map or branch node: no record of its own
        if node_id in drawn:
            return NodeRecord(node_id=node_id)
        raise HTTPException(404, f"execution {record.execution_id}: no node {node_id!r}")

    @app.get("/api/executions", response_model=ExecutionList, responses=errors)
    def list_executions(
        phase: Annotated[str | None, Query(max_length=32)] = None,
        entity: Annotated[str | None, Query(max_length=512)] = None,
        project: Annotated[str | None, Query(max_length=128)] = None,
        domain: Annotated[str | None, Query(max_length=128)] = None,
        q: Annotated[str | None, Query(max_length=128, description="A part of the execution id.")] = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
        offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    ) -> ExecutionList:
        """Executions newest first, from the index (refreshed in the background)."""
        total, items = index.query(IndexQuery(phase, entity, project, domain, q, limit, offset))
        return ExecutionList(total=total, items=items, facets=index.facets())

    @app.get("/api/executions/{execution_id}", response_model=ExecutionView, responses=errors)
    def get_execution(execution_id: ExecutionId) -> ExecutionView:
        """The record with every node's attempts, the DAG, the workflow's inputs and outputs."""
        record = record_of(execution_id)
        return ExecutionView(
            record=record,
            dag=dag.build_dag(store, record),
            inputs=details.read_values(store, record.inputs_uri),
            outputs=details.read_values(store, record.outputs_uri),
            cli=actions.cli_command(record, store.url),
        )

    @app.get(
        "/api/executions/{execution_id}/nodes/{node_id}", response_model=details.NodeView, responses=errors
    )
    def get_node(execution_id: ExecutionId, node_id: NodeId) -> details.NodeView:
        """A node's attempts (errors, tracebacks), inputs, outputs, image and cache hit."""
        record = record_of(execution_id)
        mapped = dag.map_of(dag.build_dag(store, record), node_id)
        return details.node_view(store, record, node_of(record, node_id), mapped.bound if mapped else None)

    @app.get(
        "/api/executions/{execution_id}/nodes/{node_id}/logs", response_model=logs.LogChunk, responses=errors
    )
    def get_logs(
        execution_id: ExecutionId,
        node_id: NodeId,
        attempt: Annotated[int | None, Query(ge=0, le=10_000)] = None,
        offset: Annotated[int, Query(ge=0, le=2**40)] = 0,
    ) -> logs.LogChunk:
        """Logs from `offset` on: poll with the returned offset while `running`."""
        record = record_of(execution_id)
        return logs.read_logs(store, settings, execution_id, node_of(record, node_id), attempt, offset)

    @app.post(
        "/api/executions/{execution_id}/relaunch",
        response_model=Launched,
        responses={**errors, 400: {"model": Problem}, 403: {"model": Problem}},
    )
    def relaunch(execution_id: ExecutionId, body: Annotated[RelaunchRequest, Body()]) -> Launched:
        """Run the same entity again with the recorded inputs, some replaced by `inputs`."""
        record = record_of(execution_id)
        new_id, thread = actions.relaunch(store, settings, record, body.inputs)
        drivers.append(thread)
        return Launched(execution_id=new_id)

    @app.post(
        "/api/executions/{execution_id}/abort",
        response_model=ExecutionRecord,
        responses={**errors, 400: {"model": Problem}, 403: {"model": Problem}},
    )
    def abort(execution_id: ExecutionId) -> ExecutionRecord:
        """Stop a running execution as `dockyard executions --abort` does; returns its settled record."""
        from dockyard.runtime.driver import abort_execution

        record_of(execution_id)
        return abort_execution(store, execution_id, reason="aborted from the console")

    @app.get("/api/launchplans", response_model=list[catalog.RegistrationView], responses=errors)
    def list_registrations() -> list[catalog.RegistrationView]:
        """Registered versions with their entities, launch plans, schedules, next fire times and each
        plan's recent runs."""
        return catalog.registrations(store, index)

    @app.get("/api/images", response_model=list[catalog.ImageView], responses=errors)
    def list_images() -> list[catalog.ImageView]:
        """Images the build engine built or found: tag, digest, platforms, build log."""
        return catalog.images(settings)

    @app.get("/api/images/explain", response_model=catalog.Explanation, responses=errors)
    def explain_images(
        old: Annotated[str, Query(max_length=512)], new: Annotated[str, Query(max_length=512)]
    ) -> catalog.Explanation:
        """Which hash inputs changed between two images of the same spec (from their labels)."""
        return catalog.explain(settings, old, new)

    @app.get("/", include_in_schema=False)
    def home(request: Request) -> Response:
        given = request.query_params.get("token")
        if (
            given is not None
        ):  # the link a remote user was given: keep the token in a cookie, drop it from the URL
            response: Response = RedirectResponse("/", status_code=303)
            if token is not None and hmac.compare_digest(given, token):
                response.set_cookie(TOKEN_COOKIE, given, httponly=True, samesite="strict")
            return response
        return page(request)

    @app.get("/executions/{rest:path}", include_in_schema=False)
    @app.get("/images", include_in_schema=False)
    @app.get("/launchplans", include_in_schema=False)
    def page(request: Request) -> Response:
        """The one page, for every deep link; it sets the CSRF cookie its scripts send back."""
        response = FileResponse(str(STATIC / "index.html"), media_type="text/html")
        response.headers["Cache-Control"] = "no-store"
        response.headers["Content-Security-Policy"] = "default-src 'self'; img-src 'self' data:"
        if CSRF_COOKIE not in request.cookies:
            response.set_cookie(CSRF_COOKIE, secrets.token_urlsafe(24), samesite="strict")
        return response

    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    return app


def _has_token(request: Request, token: str) -> bool:
    given = request.cookies.get(TOKEN_COOKIE, "")
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        given = auth[7:].strip()
    return hmac.compare_digest(given.encode(), token.encode())


def _csrf_problem(request: Request) -> str | None:
    origin = request.headers.get("origin")
    if origin is not None and urlsplit(origin).netloc != request.headers.get("host"):
        return f"cross-site request from {origin} refused"
    cookie = request.cookies.get(CSRF_COOKIE)
    header = request.headers.get(CSRF_HEADER)
    if not cookie or not header or not hmac.compare_digest(cookie.encode(), header.encode()):
        return "the X-CSRF-Token header must repeat the dockyard_csrf cookie"
    return None
