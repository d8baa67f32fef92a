"""A lost image is not reported present for long: the answer cache is trusted for a short bound only, and
`build --verify` asks the registry whatever the cache says."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from dockyard.builders.answers import AnswerCache
from dockyard.builders.registry import Present

DOCKYARD = str(Path(sys.executable).parent / "dockyard")
LOST = Present(digest="sha256:" + "0" * 64, platforms=())  # a push the registry no longer holds


def _plan(project: Path, *flags: str) -> dict[str, str]:
    proc = subprocess.run(
        [DOCKYARD, "build", "spec.yaml", "--dry-run", "--format", "json", *flags],
        cwd=project,
        capture_output=True,
        text=True,
        env={**os.environ, "DOCKYARD_BUILD_WORK_DIR": str(project / "work")},
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    (row,) = json.loads(proc.stdout)
    return row


@pytest.mark.registry
def test_a_cached_answer_for_a_lost_image_is_rechecked(tmp_path: Path, base_image: str) -> None:
    (tmp_path / "spec.yaml").write_text(
        f"name: dockyard-test/lost-{uuid.uuid4().hex[:10]}\nbase_image: {base_image}\n"
    )
    image = _plan(tmp_path)["image"]
    cache = tmp_path / "work" / "answers.sqlite"
    AnswerCache(cache, ttl_s=60).put(image, LOST)
    assert _plan(tmp_path)["state"] == "present"  # fresh: trusted
    assert _plan(tmp_path, "--verify")["state"] == "absent"  # --verify asks the registry
    with sqlite3.connect(cache) as db:  # the same answer, older than the bound
        db.execute("UPDATE answers SET verified_at = verified_at - 61 WHERE ref = ?", (image,))
    assert _plan(tmp_path)["state"] == "absent"
