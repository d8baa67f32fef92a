"""Fixtures for the Kubernetes tests: fixed settings and a small build context."""

from __future__ import annotations

from pathlib import Path

import pytest
from k8s_helpers import make_settings

from dockyard.config import Settings
from dockyard.imagespec.context import BuildContext


@pytest.fixture
def settings() -> Settings:
    return make_settings()


@pytest.fixture
def context_dir(tmp_path: Path) -> Path:
    root = tmp_path / "ctx"
    (root / "src" / "pkg").mkdir(parents=True)
    (root / "Dockerfile").write_text(
        "FROM localhost:5000/dockyard/debian:bookworm\n"
        "RUN --mount=type=secret,id=pip-ca true\n"
        "COPY src /root/src\n"
    )
    (root / "src" / "pkg" / "__init__.py").write_text("VALUE = 1\n")
    (root / "src" / "run.sh").write_text("#!/bin/sh\necho hi\n")
    (root / "src" / "run.sh").chmod(0o755)
    return root


@pytest.fixture
def context(context_dir: Path) -> BuildContext:
    return BuildContext(
        directory=context_dir,
        image="registry.example.com/ml/train:5f2c9a0e1d",
        tag="5f2c9a0e1d",
        platforms=("linux/amd64", "linux/arm64"),
        build_platform="linux/amd64",
        labels={"org.opencontainers.image.source": "dockyard"},
        secrets={"pip-ca": Path("/etc/dockyard/pip-ca.pem")},
        builder="kubernetes",
    )
