"""The console in a real headless Chromium (Debian's, driven by Playwright) over real runs: workflows run
with `dockyard run --remote` on the local Docker engine, then the page is used as a person would."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

pytestmark = [pytest.mark.docker, pytest.mark.registry, pytest.mark.slow]

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
WORKFLOWS = Path(__file__).parent / "workflows"
CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
DOCKYARD = Path(sys.executable).parent / "dockyard"
SHOTS = os.environ.get("DOCKYARD_CONSOLE_SCREENSHOTS")  # set to refresh docs/images


@dataclass
class Runs:
    url: str  # the console
    env: dict[str, str]
    src: Path
    squares: str
    failing: str
    fanout: str


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run(env: dict[str, str], src: Path, workflow: str, *args: str, ok: bool = True) -> str:
    """`dockyard run --remote flows.py WORKFLOW ARGS`; returns the id of the execution it made."""
    done = subprocess.run(
        [str(DOCKYARD), "run", "--remote", "flows.py", workflow, *args],
        cwd=src,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert (done.returncode == 0) is ok, done.stdout + done.stderr
    return newest(env["DOCKYARD_STORE_URL"], f"flows.{workflow}")


def newest(store_url: str, workflow: str) -> str:
    """The newest execution of `workflow`, from the index beside the records."""
    from dockyard.runtime.blobstore import LocalStore
    from dockyard.runtime.record import index_keys, read_index_entry

    store = LocalStore(store_url)
    entries = [read_index_entry(store, key) for key in index_keys(store)]
    return max((e for e in entries if e.workflow == workflow), key=lambda e: e.created_at).execution_id


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory, docker_engine: str, registry: str) -> Iterator[Runs]:
    work = tmp_path_factory.mktemp("console-e2e")
    src = work / "src"
    shutil.copytree(WORKFLOWS, src, ignore=shutil.ignore_patterns("__pycache__"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKYARD_")}
    env.update(
        {
            "XDG_CONFIG_HOME": str(work / "config"),  # no user settings
            "DOCKYARD_STORE_URL": f"file://{work}/store",
            "DOCKYARD_BUILD_WORK_DIR": str(work / "build"),
        }
    )
    if CA_BUNDLE.is_file():  # package indexes behind a TLS-intercepting proxy
        env["DOCKYARD_BUILD_CA_BUNDLE"] = str(CA_BUNDLE)
    squares = run(env, src, "squares", "--n", "5")
    failing = run(env, src, "failing", ok=False)
    fanout = run(env, src, "fanout", "--n", "3")
    registered = subprocess.run(
        [str(DOCKYARD), "register", "flows.py", "--project", "ml", "--domain", "dev", "--version", "v1"],
        cwd=src,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert registered.returncode == 0, registered.stderr
    port = free_port()
    console = subprocess.Popen(
        [str(DOCKYARD), "console", "--port", str(port)], cwd=src, env=env, stderr=subprocess.PIPE
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            httpx.get(f"{url}/api/executions", timeout=1).raise_for_status()
            break
        except httpx.HTTPError:
            time.sleep(0.2)
    try:
        yield Runs(url, env, src, squares, failing, fanout)
    finally:
        console.terminate()
        console.wait(timeout=30)


@pytest.fixture
def page(runs: Runs) -> Iterator[object]:
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=60_000)  # a shared machine under load starts containers slowly
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.set_default_timeout(60_000)
        yield page
        browser.close()


def shot(page: object, name: str) -> None:
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / name), full_page=True)  # type: ignore[attr-defined]


def test_find_the_execution_in_the_list(runs: Runs, page: object) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    page.goto(runs.url + "/")
    row = page.locator(f"tr[data-execution='{runs.squares}']")
    expect(row.locator(".badge")).to_have_attribute("data-phase", "succeeded")
    failed = page.locator(f"tr[data-execution='{runs.failing}'] .badge")
    expect(failed).to_have_attribute("data-phase", "failed")
    shot(page, "console-list.png")
    page.fill("input[name=q]", runs.failing[3:9])
    expect(page.locator("tr[data-execution]")).to_have_count(1)
    page.fill("input[name=q]", "")
    page.select_option("select[name=phase]", "failed")
    expect(page.locator("tr[data-execution]")).to_have_count(1)
    page.select_option("select[name=phase]", "")
    row.locator("a").click()
    expect(page).to_have_url(f"{runs.url}/executions/{runs.squares}")


def test_dag_shows_nodes_phases_map_progress_and_skipped_branch(runs: Runs, page: object) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    page.goto(f"{runs.url}/executions/{runs.squares}")
    dag = page.locator("svg.dag")
    expect(dag).to_have_attribute("data-nodes", "6")
    expect(dag.locator("g.node")).to_have_count(6)
    expect(dag.locator("g.node[data-phase=succeeded]")).to_have_count(5)  # 4 tasks, the map, the branch
    mapped = dag.locator("g.node[data-kind=map]")
    expect(mapped.locator("[data-progress]")).to_have_text("4/5 succeeded, 1 failed")
    skipped = dag.locator("g.node[data-case=skipped]")
    expect(skipped).to_have_count(1)
    expect(skipped).to_have_attribute("data-phase", "skipped")
    expect(skipped).to_contain_text("whisper")
    expect(dag.locator("g.node[data-case=taken]")).to_contain_text("shout")
    expect(page.locator("#values")).to_contain_text("BIG 21")
    shot(page, "console-dag.png")
    mapped.click()
    expect(page.locator("#node")).to_contain_text("Items (5)")
    page.locator("#node a", has_text=re.compile(r"-3$")).click()
    expect(page.locator("pre.traceback")).to_contain_text("ValueError: three is not welcome")


def test_dynamic_node_expands_into_its_sub_dag(runs: Runs, page: object) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    page.goto(f"{runs.url}/executions/{runs.fanout}")
    dag = page.locator("svg.dag")
    expect(dag).to_have_attribute("data-nodes", "4")
    expect(dag.locator("g.node[data-kind=dynamic]")).to_contain_text("fan")
    expect(dag.locator("g.node", has_text="double")).to_have_count(3)
    expect(dag.locator("path.edge.contains")).to_have_count(3)
    expect(page.locator("#values")).to_contain_text("4")


def test_launch_plans_with_schedules_and_images(runs: Runs, page: object) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    page.goto(f"{runs.url}/launchplans")
    table = page.locator("main table")
    expect(table).to_contain_text("ml/dev")
    expect(table).to_contain_text("flows.daily")
    expect(table).to_contain_text("0 6 * * *")
    plans = httpx.get(f"{runs.url}/api/launchplans").json()
    daily = next(p for r in plans for p in r["launch_plans"] if p["name"] == "flows.daily")
    assert daily["next_fire"] > time.time() and time.gmtime(daily["next_fire"]).tm_hour == 6
    page.goto(f"{runs.url}/images")
    row = page.locator("tr[data-image*='dockyard-test-runtime']")
    expect(row.first).to_contain_text("dockyard-test-runtime")


def test_failed_node_shows_its_traceback(runs: Runs, page: object) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    page.goto(f"{runs.url}/executions/{runs.failing}")
    page.locator("svg.dag g.node[data-phase=failed]").click()
    expect(page).to_have_url(re.compile(r"/nodes/n0-n0$"))
    traceback = page.locator("pre.traceback")
    expect(traceback).to_contain_text("RuntimeError: boom: fuse went off")
    expect(traceback).to_contain_text('flows.py", line')  # the user's own frame
    expect(page.locator("#log-state")).to_have_attribute("data-state", "ended")
    shot(page, "console-node.png")


def test_follow_a_running_node_relaunch_it_and_abort_it(runs: Runs, page: object) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    driver = subprocess.Popen(
        [str(DOCKYARD), "run", "--remote", "flows.py", "chatty", "--lines", "16"],
        cwd=runs.src,
        env=runs.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        execution = running = None
        for _ in range(300):  # the driver's record appears in the index, then its node starts
            items = httpx.get(f"{runs.url}/api/executions?entity=chatty&phase=running").json()["items"]
            if items:
                execution = items[0]["execution_id"]
                node = httpx.get(f"{runs.url}/api/executions/{execution}/nodes/n0-n0")
                running = node.status_code == 200 and node.json()["phase"] == "running"
                if running:
                    break
            time.sleep(0.2)
        assert execution and running, "chatty never started"
        page.goto(f"{runs.url}/executions/{execution}/nodes/n0-n0")
        logs = page.locator("#logs")
        expect(page.locator("#log-state")).to_have_attribute("data-state", "following")
        expect(logs).to_contain_text("line 1")
        assert "done talking" not in logs.inner_text()  # still running: the text grows while we watch
        expect(page.locator("#log-state")).to_have_attribute("data-state", "ended", timeout=120_000)
        expect(logs).to_contain_text("line 15")
        expect(logs).to_contain_text("done talking")
        assert logs.inner_text().count("line 3\n") == 1  # each chunk once
        assert driver.wait(timeout=120) == 0
    finally:
        driver.kill()
    page.goto(f"{runs.url}/executions/{execution}")
    expect(page.locator("#execution-header .badge")).to_have_attribute("data-phase", "succeeded")
    page.click("#relaunch")
    status = page.locator("#action-status[data-relaunched]")
    expect(status).to_be_visible()
    relaunched = status.get_attribute("data-relaunched")
    assert relaunched and relaunched != execution
    status.locator("a").click()
    expect(page.locator("#execution-id")).to_have_text(relaunched)
    badge = page.locator("#execution-header .badge")
    expect(badge).to_have_attribute("data-phase", "succeeded", timeout=180_000)
    expect(page.locator("#values")).to_contain_text("16")
    # again with an edited input, long enough to abort it while it runs
    page.fill("#relaunch-inputs", "lines=200")
    page.click("#relaunch")
    edited = page.locator("#action-status[data-relaunched]").get_attribute("data-relaunched")
    assert edited and edited != relaunched
    page.goto(f"{runs.url}/executions/{edited}/nodes/n0-n0")
    expect(page.locator("#logs")).to_contain_text("line 2", timeout=120_000)
    page.click("#abort")
    expect(page.locator("#execution-header .badge")).to_have_attribute(
        "data-phase", "aborted", timeout=90_000
    )
    shown = httpx.get(f"{runs.url}/api/executions/{edited}").json()["record"]
    assert shown["phase"] == "aborted"
    inputs = httpx.get(f"{runs.url}/api/executions/{edited}").json()["inputs"]
    assert inputs["lines"]["value"] == 200
