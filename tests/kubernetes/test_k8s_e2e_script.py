"""scripts/e2e-kind.sh is not run here (no cluster), but it must stay in step with the code it drives."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from dockyard.config import load_settings

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "e2e-kind.sh"


def test_script_parses() -> None:
    subprocess.run(["bash", "-n", str(SCRIPT)], check=True, timeout=30)


def test_its_dockyard_toml_is_valid_settings(tmp_path: Path) -> None:
    text = SCRIPT.read_text()
    body = re.search(r'cat >"\$WORK/project/dockyard.toml" <<EOF\n(.*?)\nEOF\n', text, re.S)
    assert body is not None, "the script writes a dockyard.toml"
    toml = body.group(1).replace("$REGISTRY", "10.0.0.2:5000").replace("$S3", "http://10.0.0.3:5000")
    toml = toml.replace("$CONTEXT", "kind-dockyard-e2e").replace("$NAMESPACE", "dockyard")
    (tmp_path / "dockyard.toml").write_text(toml)
    settings = load_settings(project_dir=tmp_path, environ={})
    assert settings.kubernetes.registry_insecure is True
    assert settings.kubernetes.namespace == "dockyard"
    assert settings.store.url == "s3://dockyard-e2e/store"
    assert settings.build.builder == "kubernetes"


def test_it_uses_the_deploy_files() -> None:
    assert '"$ROOT/deploy/rbac.yaml"' in SCRIPT.read_text()
