"""The console's JSON API over real records: the list from the index, the DAG with map progress and the
conditional's skipped branch, the node view, the token on every request, CSRF on writes, odd paths."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from dockyard.console.app import CSRF_COOKIE, TOKEN_COOKIE, create_app
from dockyard.console.index import ExecutionIndex, Query
from dockyard.runtime.blobstore import LocalStore
from dockyard.runtime.phase import Phase
from dockyard.runtime.record import ExecutionRecord, RecordWriter

from .conftest import FLOWS, console_settings, write_squares


def wait_listed(client: TestClient, count: int) -> dict:
    for _ in range(100):
        data = client.get("/api/executions").json()
        if data["total"] >= count:
            return data
        time.sleep(0.05)
    raise AssertionError(f"the index never listed {count} executions: {data}")


def test_list_is_newest_first_filtered_searched_and_paged(client: TestClient, store: LocalStore) -> None:
    write_squares(store, "x_old", created_at=1000.0)
    write_squares(store, "x_new", created_at=2000.0, finished=False)
    RecordWriter(store, ExecutionRecord(execution_id="y%1", workflow="other.wf", created_at=1500.0)).save()
    data = wait_listed(client, 3)
    assert [i["execution_id"] for i in data["items"]] == ["x_new", "y%1", "x_old"]
    assert data["facets"]["workflow"] == ["flows.squares", "other.wf"]
    assert [i["execution_id"] for i in client.get("/api/executions?phase=running").json()["items"]] == [
        "x_new",
        "y%1",
    ]
    by_short_name = client.get("/api/executions", params={"entity": "squares"}).json()
    assert by_short_name["total"] == 2
    # LIKE's wildcards in a search are plain characters
    assert [i["execution_id"] for i in client.get("/api/executions?q=%25").json()["items"]] == ["y%1"]
    assert client.get("/api/executions?q=_").json()["total"] == 2
    page = client.get("/api/executions?limit=1&offset=1").json()
    assert page["total"] == 3 and [i["execution_id"] for i in page["items"]] == ["y%1"]


def test_index_follows_phase_changes_without_reading_records(store: LocalStore) -> None:
    writer = RecordWriter(store, ExecutionRecord(execution_id="e1", workflow="m.wf"))
    writer.save()
    index = ExecutionIndex(store)
    assert index.refresh() == 1
    assert index.refresh() == 0  # nothing new: nothing read
    writer.update(phase=Phase.FAILED, message="boom")
    assert index.refresh() == 1
    total, items = index.query(Query())
    assert total == 1 and (items[0].phase, items[0].message) == (Phase.FAILED, "boom")


def test_dag_has_map_progress_and_the_skipped_branch(client: TestClient, store: LocalStore) -> None:
    write_squares(store, "x1", created_at=1000.0)
    data = client.get("/api/executions/x1").json()
    nodes = {n["id"]: n for n in data["dag"]["nodes"]}
    assert len(nodes) == 6
    assert nodes["n0-n1"]["kind"] == "map"
    assert nodes["n0-n1"]["progress"] == {"total": 5, "succeeded": 4, "failed": 1, "running": 0}
    assert nodes["n0-n1"]["phase"] == "succeeded"  # min_success_ratio 0.5
    branch = next(n for n in nodes.values() if n["kind"] == "branch")
    assert branch["label"] == "size"
    cases = {n["label"]: (n["case"], n["phase"]) for n in nodes.values() if n["parent"] == branch["id"]}
    assert cases == {"shout": ("taken", "succeeded"), "whisper": ("skipped", "skipped")}
    edges = {(e["source"], e["target"], e["kind"]) for e in data["dag"]["edges"]}
    assert ("n0-n0", "n0-n1", "data") in edges and ("n0-n2", branch["id"], "data") in edges


def test_running_execution_leaves_the_branch_undecided(client: TestClient, store: LocalStore) -> None:
    write_squares(store, "x2", created_at=1000.0, finished=False)
    # n0-n3 is still running: its case is taken, so whisper's is skipped already
    nodes = {n["id"]: n for n in client.get("/api/executions/x2").json()["dag"]["nodes"]}
    assert nodes["n0-n3"]["phase"] == "running"
    assert nodes["n0-n4"]["case"] == "skipped"


def test_node_view_and_map_items(client: TestClient, store: LocalStore) -> None:
    write_squares(store, "x1", created_at=1000.0)
    failed = client.get("/api/executions/x1/nodes/n0-n1-3").json()
    assert failed["phase"] == "failed" and failed["attempts"][0]["message"] == "ValueError: three"
    assert failed["inputs"] == {"x": {"kind": "json", "value": 3, "uri": None, "columns": [], "rows": []}}
    mapped = client.get("/api/executions/x1/nodes/n0-n1").json()
    assert mapped["map_items"] == [f"n0-n1-{i}" for i in range(5)]
    logs = client.get("/api/executions/x1/nodes/n0-n3/logs").json()
    assert logs == {"attempt": 0, "offset": 0, "text": "", "running": False}


@pytest.mark.parametrize(
    "path",
    [
        "/api/executions/..%2F..%2Fetc%2Fpasswd",
        "/api/executions/..",
        "/api/executions/a%20b",
        "/api/executions/%E2%9C%93",
        "/api/executions/%00",
        "/api/executions/" + "x" * 300,
        "/api/executions/x1/nodes/..%2Frecord",
        "/api/executions/x1/nodes/n0%0A",
        "/api/executions/x1/nodes/%F0%9F%90%B3/logs",
        "/api/executions/no.such-id",
        "/api/executions/x1/nodes/n9",
    ],
)
def test_odd_paths_are_refused_cleanly(client: TestClient, store: LocalStore, path: str) -> None:
    write_squares(store, "x1", created_at=1000.0)
    response = client.get(path)
    assert response.status_code in (404, 422), (path, response.status_code, response.text)


def test_token_is_checked_on_every_api_request(store: LocalStore) -> None:
    app = create_app(store, console_settings(store, token="s3cret-token"))
    with TestClient(app) as c:
        assert c.get("/api/executions").status_code == 401
        assert c.get("/api/openapi.json").status_code == 401
        assert c.get("/api/executions", headers={"Authorization": "Bearer wrong"}).status_code == 401
        ok = c.get("/api/executions", headers={"Authorization": "Bearer s3cret-token"})
        assert ok.status_code == 200
        bad = c.get("/?token=wrong", follow_redirects=False)
        assert bad.status_code == 303 and TOKEN_COOKIE not in bad.cookies
        good = c.get("/?token=s3cret-token", follow_redirects=False)
        assert good.status_code == 303 and good.headers["location"] == "/"
        assert c.get("/api/executions").status_code == 200  # the page's cookie now


def test_actions_need_the_csrf_header_and_same_origin(client: TestClient, store: LocalStore) -> None:
    url = "/api/executions/nope/relaunch"
    assert client.post(url, json={}).status_code == 403
    assert client.post(url, json={}, headers={"X-CSRF-Token": "other"}).status_code == 403
    cross = {"X-CSRF-Token": "t0ken", "Origin": "http://evil.example"}
    assert client.post(url, json={}, headers=cross).status_code == 403
    same = {"X-CSRF-Token": "t0ken", "Origin": "http://testserver"}
    assert client.post(url, json={}, headers=same).status_code == 404  # past the guard: no such execution


def test_page_serves_deep_links_and_sets_the_csrf_cookie(store: LocalStore) -> None:
    with TestClient(create_app(store, console_settings(store))) as c:
        for path in ("/", "/executions/x1", "/executions/x1/nodes/n0-n1", "/images", "/launchplans"):
            page = c.get(path)
            assert page.status_code == 200 and "console.js" in page.text, path
        assert CSRF_COOKIE in c.cookies
        assert c.get("/static/vendor/dagre.min.js").status_code == 200


def test_console_refuses_a_public_bind_without_a_token(tmp_path: Path) -> None:
    dockyard = Path(sys.executable).parent / "dockyard"
    done = subprocess.run(
        [str(dockyard), "console", "--host", "0.0.0.0", "--store", f"file://{tmp_path}"],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        timeout=60,
    )
    assert done.returncode == 2
    assert "console.token" in done.stderr and "--host 0.0.0.0" in done.stderr


def test_images_come_from_the_build_engines_answers(store: LocalStore, tmp_path: Path) -> None:
    from dockyard.builders.answers import AnswerCache
    from dockyard.builders.engine import BuildRecord, write_build_record
    from dockyard.builders.registry import Present
    from dockyard.config import load_settings

    settings = load_settings(
        {"store": {"url": store.url}, "build": {"work_dir": str(tmp_path / "build")}}, environ={}
    )
    answers = AnswerCache(settings.build.work_dir / "answers.sqlite", 3600)
    answers.put(
        "localhost:5000/spec-a:aaa111", Present(digest="sha256:" + "a" * 64, platforms=("linux/amd64",))
    )
    answers.put(
        "localhost:5000/spec-a:bbb222", Present(digest="sha256:" + "b" * 64, platforms=("linux/amd64",))
    )
    (settings.build.work_dir / "logs").mkdir()
    (settings.build.work_dir / "logs" / "bbb222.log").write_text("#1 [internal] load build definition\n")
    # bbb222 was built here (the engine's build record); aaa111 was only found in the registry
    write_build_record(settings.build.work_dir, "bbb222", BuildRecord(duration_s=12.5, size_bytes=31_415_926))
    with TestClient(create_app(store, settings)) as c:
        images = c.get("/api/images").json()
        assert [(i["name"], i["tag"]) for i in images] == [("spec-a", "bbb222"), ("spec-a", "aaa111")]
        assert images[0]["log"].startswith("#1 [internal]") and images[1]["log"] is None
        assert (images[0]["size_bytes"], images[0]["build_s"]) == (31_415_926, 12.5)
        assert (images[1]["size_bytes"], images[1]["build_s"]) == (None, None)
        # only images the engine knows are compared: the console asks no other registry
        refused = c.get("/api/images/explain", params={"old": "evil.example/x:1", "new": images[0]["ref"]})
        assert refused.status_code == 404 and "evil.example/x:1" in refused.json()["detail"]


@pytest.mark.s3
def test_the_console_reads_an_s3_store(s3_bucket: str, s3_server: str) -> None:
    from dockyard.config import load_settings
    from dockyard.runtime.blobstore import open_store

    url = f"s3://{s3_bucket}/dockyard"
    settings = load_settings({"store": {"url": url, "s3_endpoint_url": s3_server}}, environ={})
    store = open_store(url, settings)
    write_squares(store, "s1", created_at=1000.0)
    with TestClient(create_app(store, settings, refresh_s=0.05)) as c:
        assert [i["execution_id"] for i in wait_listed(c, 1)["items"]] == ["s1"]
        nodes = {n["id"]: n for n in c.get("/api/executions/s1").json()["dag"]["nodes"]}
        assert len(nodes) == 6 and nodes["n0-n1"]["progress"]["total"] == 5
        assert c.get("/api/executions/s1/nodes/n0-n1-3").json()["phase"] == "failed"


def test_values_are_rendered_by_type(client: TestClient, store: LocalStore, tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from dockyard.sdk.types.literal import literals_to_json

    write_squares(store, "x1", created_at=1000.0)
    frame = store.url_for("executions", "x1", "raw", "frame") + "/"
    local = tmp_path / "frame.parquet"
    pq.write_table(pa.table({"a": [1, 2, 3], "b": ["x", "y", "z"]}), local)
    store.put(local, frame + "00000.parquet")
    outputs = {
        "table": {"structured": {"uri": frame, "format": "parquet", "columns": []}},
        "report": {"blob": {"uri": "file:///data/report.csv", "format": "csv", "dimensionality": "single"}},
        "model": {"blob": {"uri": "file:///data/model/", "format": "", "dimensionality": "multipart"}},
        "config": {"record": {"epochs": {"int": 3}, "rate": {"float": 0.5}}},
    }
    uri = store.write_bytes(
        store.url_for("executions", "x1", "nodes", "n0-n2", "0", "outputs", "outputs.json"),
        literals_to_json(outputs).encode(),
    )
    from dockyard.runtime.record import load_record

    RecordWriter(store, load_record(store, "x1")).update("n0-n2", outputs_uri=uri)
    shown = client.get("/api/executions/x1/nodes/n0-n2").json()["outputs"]
    assert shown["table"]["kind"] == "table"
    assert shown["table"]["columns"] == ["a", "b"] and shown["table"]["rows"] == [
        [1, "x"],
        [2, "y"],
        [3, "z"],
    ]
    assert (shown["report"]["kind"], shown["report"]["uri"]) == ("file", "file:///data/report.csv")
    assert shown["model"]["kind"] == "directory"
    assert (shown["config"]["kind"], shown["config"]["value"]) == ("json", {"epochs": 3, "rate": 0.5})


def test_the_bundles_module_loads_again_after_its_launch_plans(store: LocalStore) -> None:
    """The console imports an execution's module more than once (launch plans, each relaunch): a module
    defining a launch plan must load every time."""
    from dockyard.runtime.bundle import upload_bundle
    from dockyard.runtime.detached import entity_from_bundle

    record = ExecutionRecord(
        execution_id="x1", workflow="flows.squares", bundle_uri=upload_bundle(FLOWS.parent, store)
    )
    first = entity_from_bundle(record, store)
    second = entity_from_bundle(record, store)
    assert first is not second and second.name == "flows.squares"


def test_launch_plans_show_their_recent_runs(client: TestClient, store: LocalStore) -> None:
    from dockyard.runtime.registration import SCHEMA

    doc = {
        "schema": SCHEMA,
        "version": "v1",
        "tasks": [],
        "workflows": [{"name": "flows.squares", "ref": "flows:squares", "graph": {}}],
        "launch_plans": [{"name": "flows.squares", "workflow": "flows:squares", "schedule": None}],
    }
    store.write_json(store.url_for("registry", "dockyard", "development", "v1.json"), doc)
    for i in range(7):
        write_squares(store, f"r{i}", created_at=1000.0 + i, finished=i != 6)
    # a workflow whose name ends in this one's, and another project's run, are not this plan's
    RecordWriter(store, ExecutionRecord(execution_id="o1", workflow="x.flows.squares", created_at=3e3)).save()
    RecordWriter(
        store, ExecutionRecord(execution_id="p1", workflow="flows.squares", project="ml", created_at=3000.0)
    ).save()
    wait_listed(client, 9)
    (registered,) = client.get("/api/launchplans").json()
    runs = registered["launch_plans"][0]["recent_runs"]
    assert [(r["execution_id"], r["phase"]) for r in runs] == [
        ("r6", "running"),
        ("r5", "succeeded"),
        ("r4", "succeeded"),
        ("r3", "succeeded"),
        ("r2", "succeeded"),
    ]


def test_node_view_shows_the_tasks_resources(client: TestClient, store: LocalStore) -> None:
    from dockyard.runtime.bundle import upload_bundle

    write_squares(store, "x1", created_at=1000.0)  # no bundle: nothing to read resources from
    bundle = upload_bundle(FLOWS.parent, store)
    record = ExecutionRecord(execution_id="g1", workflow="sized.sized", bundle_uri=bundle)
    writer = RecordWriter(store, record)
    writer.save()
    writer.update("n0-n0", task="sized.train", phase=Phase.SUCCEEDED)
    writer.update("n0-n1", task="flows.square", phase=Phase.SUCCEEDED)
    writer.update("n0-n2", task="sized.nothing_here", phase=Phase.SUCCEEDED)
    shown = client.get("/api/executions/g1/nodes/n0-n0").json()["resources"]
    assert shown == {
        "requests": {"cpu": "2", "mem": "1Gi"},
        "limits": {"mem": "2Gi"},
        "accelerator": "nvidia-tesla-t4",
    }
    plain = client.get("/api/executions/g1/nodes/n0-n1").json()["resources"]
    assert plain == {"requests": {}, "limits": {}, "accelerator": None}
    assert client.get("/api/executions/g1/nodes/n0-n2").json()["resources"] is None
    assert client.get("/api/executions/x1/nodes/n0-n0").json()["resources"] is None
