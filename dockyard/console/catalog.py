"""Registered entities and launch plans with their schedules (`registry/<project>/<domain>/`), and the
images the build engine found or built (its answer cache and kept build logs)."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from dockyard.config import Settings
from dockyard.console.index import ExecutionIndex, Query
from dockyard.errors import DockyardError, StoreError
from dockyard.runtime.blobstore.base import Store
from dockyard.runtime.record import IndexEntry

RECENT_RUNS = 5


class PlanView(BaseModel):
    name: str
    workflow: str
    schedule: dict[str, Any] | None
    next_fire: float | None = None
    recent_runs: list[IndexEntry] = []  # the newest executions of its workflow in its project/domain


class RegistrationView(BaseModel):
    project: str
    domain: str
    version: str
    tasks: list[str]
    workflows: list[str]
    launch_plans: list[PlanView]


class ImageView(BaseModel):
    name: str
    tag: str
    ref: str
    digest: str
    platforms: list[str]
    verified_at: float
    log: str | None = None
    size_bytes: int | None = None  # the last build here: config and compressed layers
    build_s: float | None = None  # the last build here: how long it took (None: found, not built here)


def registrations(store: Store, index: ExecutionIndex) -> list[RegistrationView]:
    """Every registered version, newest version name first; schedules with their next fire time, and each
    plan's recent runs from the execution index (a record names its workflow, not the plan that ran it)."""
    from dockyard.runtime.registration import SCHEMA

    prefix = store.url_for("registry") + "/"
    found = []
    for uri in store.list(prefix):
        parts = uri[len(prefix) :].split("/")
        if len(parts) != 3 or not parts[2].endswith(".json"):
            continue
        try:
            doc = store.read_json(uri)
        except (StoreError, ValueError):
            continue
        if doc.get("schema") != SCHEMA:
            continue
        found.append(
            RegistrationView(
                project=parts[0],
                domain=parts[1],
                version=str(doc.get("version", parts[2][:-5])),
                tasks=[t["name"] for t in doc.get("tasks", [])],
                workflows=[w["name"] for w in doc.get("workflows", [])],
                launch_plans=[_plan(store, doc, p, index, parts[:2]) for p in doc.get("launch_plans", [])],
            )
        )
    return sorted(found, key=lambda r: (r.project, r.domain, r.version), reverse=True)


def _plan(
    store: Store, doc: dict[str, Any], plan: dict[str, Any], index: ExecutionIndex, where: list[str]
) -> PlanView:
    view = PlanView(name=plan["name"], workflow=plan["workflow"], schedule=plan.get("schedule"))
    workflow = next((w["name"] for w in doc.get("workflows", []) if w.get("ref") == plan["workflow"]), None)
    if workflow is not None:
        # the index also matches names ending in `.<workflow>`: ask for more, keep this workflow's
        query = Query(entity=workflow, project=where[0], domain=where[1], limit=4 * RECENT_RUNS)
        view.recent_runs = [e for e in index.query(query)[1] if e.workflow == workflow][:RECENT_RUNS]
    if view.schedule:  # the plan's own schedule object says when it fires (as the scheduler asks it)
        from dockyard.runtime.registration import load_registered

        try:
            loaded = load_registered(doc, store, plan["name"])
            view.next_fire = loaded.schedule.next_after(dt.datetime.now(dt.timezone.utc)).timestamp()
        except DockyardError:
            view.next_fire = None
    return view


class Explanation(BaseModel):
    old: str
    new: str
    changes: list[str]  # one line per hash input that differs (`dockyard explain`'s lines)


def explain(settings: Settings, old: str, new: str) -> Explanation:
    """Which hash inputs differ between two images the engine knows (read from their labels, as
    `dockyard explain` does); refs it does not know are refused, so the console asks no other registry."""
    from dockyard.builders.registry import RegistryClient
    from dockyard.imagespec.explain import diff_inputs, recorded_inputs

    known = {image.ref for image in images(settings)}
    unknown = [ref for ref in (old, new) if ref not in known]
    if unknown:
        raise StoreError(f"images {unknown}: not among the images the build engine found or built")
    with RegistryClient(insecure=settings.build.insecure_registries) as client:
        before = recorded_inputs(client.image_labels(old), old)
        after = recorded_inputs(client.image_labels(new), new)
    return Explanation(old=old, new=new, changes=diff_inputs(before, after))


def images(settings: Settings) -> list[ImageView]:
    """The build engine's positive answers (work_dir/answers.sqlite) with each tag's kept build log and
    build record (size and duration of its last build here)."""
    work = Path(settings.build.work_dir)
    path = work / "answers.sqlite"
    if not path.is_file():
        return []
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    try:
        rows = conn.execute(
            "SELECT ref, digest, platforms, verified_at FROM answers ORDER BY verified_at DESC"
        )
        found = rows.fetchall()
    except sqlite3.DatabaseError:
        return []
    finally:
        conn.close()
    from dockyard.builders.engine import read_build_record

    out = []
    for ref, digest, platforms, verified_at in found:
        name, _, tag = str(ref).rpartition(":")
        log = work / "logs" / f"{tag}.log"
        built = read_build_record(work, tag)
        out.append(
            ImageView(
                name=name.rpartition("/")[2],
                tag=tag,
                ref=str(ref),
                digest=str(digest),
                platforms=list(json.loads(str(platforms) or "[]")),
                verified_at=float(verified_at),
                log=log.read_text(errors="replace")[-20000:] if log.is_file() else None,
                size_bytes=built.size_bytes if built else None,
                build_s=built.duration_s if built else None,
            )
        )
    return out
