"""Real-world specs built through `dockyard build`, each checked by code run inside its image.

The projects are in `projects/`, written as their users write them: flytekit-style Python modules with
tasks, and YAML files for `dockyard build`. See conftest.py for how they are built.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import Future
from pathlib import Path

import pytest
import yaml

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

from .conftest import PROJECTS, Built, PrivateIndex, built, dockyard

pytestmark = [pytest.mark.docker, pytest.mark.registry, pytest.mark.slow]


def versions(image: Built, names: list[str]) -> dict[str, str]:
    """The installed version of each distribution, read by importlib.metadata inside the image."""
    script = (
        f"import importlib.metadata as m, json; print(json.dumps({{n: m.version(n) for n in {names!r}}}))"
    )
    return dict(json.loads(image.python(script)))


def absent(image: Built, paths: list[str]) -> list[str]:
    """Which of these paths the image lacks."""
    script = f"import os, json; print(json.dumps([p for p in {paths!r} if not os.path.lexists(p)]))"
    return list(json.loads(image.python(script)))


# --- data science: numpy + pandas + scikit-learn, a task module with its code from source_root ------------
@pytest.fixture(scope="module")
def churn(builds: dict[str, Future[Built]]) -> Built:
    return built(builds, "churn")


def test_churn_pins_and_task_run_in_the_image(churn: Built) -> None:
    assert versions(churn, ["numpy", "pandas", "scikit-learn"]) == {
        "numpy": "1.26.4",
        "pandas": "2.2.2",
        "scikit-learn": "1.5.1",
    }
    # the task, imported from the module that declares the image, trains a model on that image's stack
    score = churn.python(
        "import os; from workflows import train; print(os.environ['OMP_NUM_THREADS'], train(rows=400))"
    )
    threads, accuracy = score.split()
    assert threads == "1" and 0.6 < float(accuracy) <= 1.0


def test_churn_dockerignore_keeps_data_and_notebooks_out(churn: Built) -> None:
    paths = ["/root/data/customers-2024.csv", "/root/exploration.ipynb", "/root/data/schema.json"]
    assert absent(churn, paths) == paths[:2]  # the schema is an exception to `data/`, as Docker reads it


def test_churn_workflow_runs_remotely_in_its_image(churn: Built, tmp_path: Path) -> None:
    """`dockyard run --remote` from the project: the task runs in that image as the hardened task user, and
    its body imports the project's package lazily, so it comes from the image's /root (source_root), not
    from the code bundle of the modules loaded at launch."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKYARD_")}
    env["DOCKYARD_STORE_URL"] = f"file://{tmp_path}/store"
    done = dockyard("run", "--remote", "workflows.py", "churn_wf", "--rows", "400", cwd=churn.folder, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    assert 0.6 < float(done.stdout.split()[-1]) <= 1.0, done.stdout


# --- NLP: code and corpus copied, a tokenizer trained by `commands` at build time ------------------------
@pytest.fixture(scope="module")
def nlp(builds: dict[str, Future[Built]]) -> Built:
    return built(builds, "nlp")


def test_nlp_tokenizer_was_trained_from_the_copied_corpus(nlp: Built) -> None:
    assert nlp.returncode == 0, nlp.stderr[-4000:]
    script = (
        "import os; from tokenizers import Tokenizer; from textprep.clean import clean\n"
        "t = Tokenizer.from_file(os.environ['TOKENIZER_PATH'])\n"
        "print(t.get_vocab_size()); print(' '.join(t.encode(clean('Refund my INVOICE: https://x.io/a')).tokens))"
    )
    size, tokens = nlp.python(script).splitlines()
    assert 50 < int(size) <= 300
    assert tokens.replace(" ", "") == "refundmyinvoice"  # the URL and punctuation were cleaned away


def test_nlp_pins_and_unicode_cleaning(nlp: Built) -> None:
    assert versions(nlp, ["tokenizers", "regex"]) == {"tokenizers": "0.19.1", "regex": "2024.7.24"}
    cleaned = nlp.python("from textprep.clean import clean; print(clean('Où est ma facture ?!'))")
    assert cleaned.strip() == "où est ma facture"


# --- serving: FastAPI + uvicorn + pydantic, .dockerignore'd secrets, an entrypoint that serves -----------
@pytest.fixture(scope="module")
def serving(builds: dict[str, Future[Built]]) -> Built:
    return built(builds, "serving")


def test_serving_keeps_the_users_pins(serving: Built) -> None:
    names = ["fastapi", "uvicorn", "pydantic", "httpx"]
    assert versions(serving, names) == dict(zip(names, ["0.115.0", "0.30.6", "2.9.2", "0.27.2"], strict=True))


def test_serving_app_answers_through_its_entrypoint(serving: Built) -> None:
    started = subprocess.run(
        ["docker", "run", "-d", "--rm", serving.image_ref], capture_output=True, text=True, timeout=120
    )
    assert started.returncode == 0, started.stderr
    container = started.stdout.strip()
    probe = (
        "import httpx; print(httpx.get('http://127.0.0.1:8080/health').text);"
        "print(httpx.post('http://127.0.0.1:8080/score',"
        " json={'tenure_months': 1, 'monthly_charges': 90}).text)"
    )
    try:
        deadline, answer = time.monotonic() + 60, None
        while time.monotonic() < deadline:
            answer = subprocess.run(
                ["docker", "exec", container, "python", "-c", probe], capture_output=True, text=True
            )
            if answer.returncode == 0:
                break
            time.sleep(1)
        assert answer is not None and answer.returncode == 0, answer and answer.stderr
        health, score = map(json.loads, answer.stdout.splitlines())
    finally:
        subprocess.run(["docker", "rm", "--force", container], capture_output=True)
    # the banner's spaces and dash arrived intact through ENV
    assert health == {"status": "ok", "banner": "Scoring API (staging) - do not use for production traffic"}
    assert score == {"risk": 1.0, "band": "high"}


def test_serving_dockerignore_keeps_secrets_and_tests_out(serving: Built) -> None:
    paths = ["/root/.env", "/root/secrets", "/root/server.log", "/root/tests", "/root/app/main.py"]
    assert absent(serving, paths) == paths[:4]


# --- apt system libraries: python-magic needs Debian's libmagic ------------------------------------------
@pytest.fixture(scope="module")
def filetype(builds: dict[str, Future[Built]]) -> Built:
    return built(builds, "filetype")


def test_filetype_uses_the_debian_library(filetype: Built) -> None:
    script = (
        "import magic, ctypes.util; print(ctypes.util.find_library('magic'));"
        "print(magic.from_buffer(b'%PDF-1.7\\n%\\xe2\\xe3\\xcf\\xd3\\n', mime=True));"
        "import gzip; print(magic.from_buffer(gzip.compress(b'x'), mime=True))"
    )
    assert filetype.python(script).split() == ["libmagic.so.1", "application/pdf", "application/gzip"]
    assert versions(filetype, ["python-magic"]) == {"python-magic": "0.4.27"}


# --- a uv project: pyproject.toml + uv.lock made by `uv lock`; the lock is what gets installed ------------
@pytest.fixture(scope="module")
def uvproject(builds: dict[str, Future[Built]]) -> Built:
    return built(builds, "uvproject")


def test_uvproject_installs_exactly_the_lock(uvproject: Built) -> None:
    packages = {p["name"]: p for p in tomllib.loads((uvproject.folder / "uv.lock").read_text())["package"]}
    runtime, todo = set(), [d["name"] for d in packages["reporting"]["dependencies"]]
    while todo:  # the project's dependencies, without its dev group
        name = todo.pop()
        if name not in runtime:
            runtime.add(name)
            todo += [d["name"] for d in packages[name].get("dependencies", [])]
    assert {"tabulate", "attrs", "python-dateutil"} <= runtime and "pytest" in packages
    wanted = sorted(runtime)
    assert versions(uvproject, wanted) == {name: packages[name]["version"] for name in wanted}
    script = (  # the dev group is locked, not installed (--no-dev); the project's code is there
        "import importlib.util as u; from reporting.weekly import Kpi, table;"
        "print(u.find_spec('pytest') is None); print(table([Kpi('nps', 41.0)]).split()[-1])"
    )
    assert uvproject.python(script).split() == ["True", "41"]


# --- a pip-compile style lock: every pin with its hashes (uv pip compile --generate-hashes) --------------
@pytest.fixture(scope="module")
def pipcompile(builds: dict[str, Future[Built]]) -> Built:
    return built(builds, "pipcompile")


def test_pipcompile_installs_the_hashed_pins(pipcompile: Built) -> None:
    text = (pipcompile.folder / "requirements.txt").read_text()
    pins = dict(line.split(" ")[0].split("==") for line in text.splitlines() if "==" in line)
    assert "--hash=sha256:" in text and {"rich", "pygments", "markdown-it-py", "mdurl"} <= set(pins)
    assert versions(pipcompile, sorted(pins)) == pins


# --- requirements.txt with -r includes (nested, relative to their file) and a -c constraints file --------
@pytest.fixture(scope="module")
def reqs(builds: dict[str, Future[Built]]) -> Built:
    return built(builds, "reqs")


def test_reqs_includes_pins_and_constraints(reqs: Built) -> None:
    expected = {
        "requests": "2.31.0",  # requirements.txt
        "attrs": "23.2.0",  # -r requirements/base.txt
        "cattrs": "23.2.3",
        "tabulate": "0.9.0",  # -r extras.txt, inside base.txt
        "pyyaml": "6.0.1",  # unpinned, held by -c constraints.txt
        "idna": "3.7",  # a transitive dependency held by the constraints
    }
    assert versions(reqs, sorted(expected)) == expected


# --- a private PEP 503 index behind a password, through dockyard's secret path ---------------------------
@pytest.fixture(scope="module")
def privateindex(builds: dict[str, Future[Built]]) -> Built:
    return built(builds, "privateindex")


def test_privateindex_package_installed_without_leaking_the_token(
    privateindex: Built, private_index: PrivateIndex
) -> None:
    found = privateindex.python(
        "import acme_features as a, importlib.metadata as m; print(m.version('acme-features'), *a.FEATURES)"
    )
    # acme-features is on the private index only (PyPI has no such project)
    assert found.split() == ["1.4.0", "tenure_months", "monthly_charges", "support_tickets_90d"]
    assert versions(privateindex, ["tabulate"]) == {"tabulate": "0.9.0"}  # and the rest from PyPI
    ref = privateindex.image_ref
    shown = [
        subprocess.run(command, capture_output=True, text=True, timeout=60).stdout
        for command in (["docker", "image", "inspect", ref], ["docker", "history", "--no-trunc", ref])
    ]
    printed = [
        privateindex.stdout,
        privateindex.stderr,
        privateindex.python("import os; print(dict(os.environ))"),
    ]
    assert all(private_index.token not in text for text in shown + printed)


# --- the same index with its login in a .netrc mounted as a build secret (pip_secret_mounts) -------------
@pytest.fixture(scope="module")
def netrcindex(builds: dict[str, Future[Built]]) -> Built:
    return built(builds, "netrcindex")


def test_netrcindex_login_is_used_but_never_kept(netrcindex: Built, private_index: PrivateIndex) -> None:
    found = netrcindex.python("import acme_features as a; print(len(a.FEATURES))")
    assert found.strip() == "3"
    assert absent(netrcindex, ["/root/.netrc"]) == ["/root/.netrc"]
    shown = subprocess.run(
        ["docker", "history", "--no-trunc", netrcindex.image_ref], capture_output=True, text=True, timeout=60
    )
    assert shown.returncode == 0 and private_index.token not in shown.stdout


# --- a poetry project: pyproject.toml + poetry.lock (made by `poetry lock`), main group only --------------
@pytest.fixture(scope="module")
def poetryproject(builds: dict[str, Future[Built]]) -> Built:
    return built(builds, "poetryproject")


def test_poetryproject_installs_the_main_group_of_the_lock(poetryproject: Built) -> None:
    lock = tomllib.loads((poetryproject.folder / "poetry.lock").read_text())
    main = {p["name"]: p["version"] for p in lock["package"] if "main" in p["groups"]}
    assert {"humanize", "python-slugify", "text-unidecode"} <= set(main)
    assert versions(poetryproject, sorted(main)) == main
    script = (
        "import datetime as d, importlib.util as u; from alerts.format import line;"
        "now = d.datetime(2026, 1, 1); print(u.find_spec('pytest') is None);"
        "print(line('Disk full on db-1!', now - d.timedelta(minutes=5), now))"
    )
    assert poetryproject.python(script).splitlines() == ["True", "disk-full-on-db-1: 5 minutes ago"]


# --- a wheel of the team's package, copied in and installed by `uv pip install` in commands ---------------
@pytest.fixture(scope="module")
def wheelcopy(builds: dict[str, Future[Built]]) -> Built:
    return built(builds, "wheelcopy")


def test_wheelcopy_commands_install_the_copied_wheel_with_uv(wheelcopy: Built) -> None:
    script = (
        "import textkit, importlib.metadata as m; print(m.version('textkit'), m.version('regex'));"
        "print(textkit.__file__.startswith('/opt/venv/')); print(open('/opt/textkit-check.txt').read())"
    )
    assert wheelcopy.python(script).splitlines()[:3] == [
        "0.2.0 2024.7.24",
        "True",
        "['grüße', 'aus', 'köln']",
    ]
    # uv was there for the commands only
    assert absent(wheelcopy, ["/usr/local/bin/uv"]) == ["/usr/local/bin/uv"]


# --- env values with spaces, quotes and `$`; copied scripts run by commands that see that env -----------
@pytest.fixture(scope="module")
def envcmds(builds: dict[str, Future[Built]]) -> Built:
    return built(builds, "envcmds")


def test_envcmds_values_arrive_as_flytekit_env_gives_them_at_build_and_run_time(envcmds: Built) -> None:
    env = yaml.safe_load((PROJECTS / "envcmds" / "image.yaml").read_text())["env"]
    # spaces, quotes and `=` arrive as written; `$PATH` expands as flytekit's ENV expands it
    path = envcmds.python("import os; print(os.environ['PATH'], end='')")
    assert env["REPORT_PATH"] == "/opt/report/bin:$PATH" and not path.startswith("/opt/report/bin")
    env["REPORT_PATH"] = "/opt/report/bin:" + path
    at_run = json.loads(
        envcmds.python(f"import os, json; print(json.dumps({{k: os.environ[k] for k in {list(env)!r}}}))")
    )
    assert at_run == env
    at_build = envcmds.python("print(open('/opt/report/env.txt').read(), end='')")
    assert at_build.splitlines() == [f"{name}=[{value}]" for name, value in env.items()]
    banner = envcmds.python("print(open('/opt/report/banner.txt').read(), end='')")
    assert banner == env["REPORT_TITLE"].center(48, "*") + "\n"


def test_envcmds_copies_only_what_it_names(envcmds: Built) -> None:
    paths = ["/root/conf/local-override.ini", "/root/conf/settings.ini", "/root/scripts/record_env.sh"]
    assert absent(envcmds, paths) == paths[:1]


# --- a team base image and a trainer built on it (nested ImageSpec as base_image) ------------------------
@pytest.fixture(scope="module")
def teambase(builds: dict[str, Future[Built]]) -> Built:
    return built(builds, "teambase")


def test_teambase_child_has_both_layers(teambase: Built) -> None:
    assert versions(teambase, ["attrs", "cattrs"]) == {"attrs": "23.2.0", "cattrs": "23.2.3"}
    found = teambase.python("import os; print(os.environ['TEAM']); print(open('/opt/jq-version.txt').read())")
    assert found.splitlines()[:2] == ["ml platform", "jq-1.6"]
    # the base was built first and pushed under its own name, where other teams' images can start from it
    repository = str(teambase.images[0]["image"]).split("/", 1)[1].rsplit("/", 1)[0] + "/team-base"
    with urllib.request.urlopen(f"http://localhost:5000/v2/{repository}/tags/list", timeout=30) as answer:
        assert len(json.load(answer)["tags"]) == 1


# --- GPU: flytekit's `cuda="12.4", cudnn="9"` with no strategy, rendered (this machine has no GPU) -------
@pytest.mark.parametrize("variable", ["finetune", "finetune_on_team_base"])
def test_gpu_spec_renders_from_cuda_alone(base_image: str, variable: str, tmp_path: Path) -> None:
    # python 3.11, which no nvidia/cuda 12.4 image ships, or a base image: NVIDIA's wheels on a Debian base
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path)}
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # the spec module is imported from the repository's folder
    rendered = dockyard("render", f"finetune.py:{variable}", cwd=PROJECTS / "gpu", env=env)
    assert rendered.returncode == 0, rendered.stderr
    lines = rendered.stdout.splitlines()
    assert lines[0].startswith("FROM localhost:5000/dockyard/debian:bookworm@sha256:")
    assert "'nvidia-cuda-runtime-cu12==12.4.*'" in rendered.stdout
    assert "'nvidia-cudnn-cu12==9.*'" in rendered.stdout


# --- flytekit-docs style: paths from __file__, with_* calls, commands that chain, pipe, cd and use pip ---
@pytest.fixture(scope="module")
def pathforms(builds: dict[str, Future[Built]]) -> Built:
    return built(builds, "pathforms")


def test_pathforms_absolute_paths_with_calls_and_shell_commands(pathforms: Built) -> None:
    script = (
        "import importlib.metadata as m, json, os;"
        "print(json.dumps({n: m.version(n) for n in ['attrs', 'tomli-w', 'python-slugify']}));"
        "print(json.dumps([open(f).read() for f in ['/opt/top.txt', '/opt/pip.txt', '/opt/stamp.txt',"
        " '/opt/where.txt']]))"
    )
    pins, outputs = pathforms.python(script).splitlines()
    # requirements from an absolute path, with_packages, and pip run by a command
    assert json.loads(pins) == {"attrs": "23.2.0", "tomli-w": "1.0.0", "python-slugify": "8.0.4"}
    assert json.loads(outputs) == [
        " 3 kiwi\n 2 fig\n",
        "pip\n",
        "[built with 'pipes' & \"chains\"]\n",
        "opt\n",  # a `cd` and an `export` hold for the later commands, as in flytekit's one RUN
    ]
    # a folder given with a trailing slash, and a file added by with_copy
    assert absent(pathforms, ["/root/assets/words.txt", "/root/tools/stamp.py", "/root/tasks.py"]) == [
        "/root/tasks.py"
    ]
