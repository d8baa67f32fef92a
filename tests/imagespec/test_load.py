"""The shared spec loader: YAML files, `file.py:variable`, `package.module:variable`, whole modules."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from dockyard.errors import SpecError
from dockyard.imagespec import ImageSpec, load_spec, load_specs

MODULE = """
from dockyard.imagespec import ImageSpec

base = ImageSpec(name="base", apt_packages=["git"])
app = ImageSpec(name="app", base_image=base, packages=["six"])
alias = app
not_a_spec = 3
"""


def test_yaml_file(project: Path) -> None:
    (project / "spec.yml").write_text("name: from-yaml\npackages: [six]\n")
    assert load_spec("spec.yml") == ImageSpec(name="from-yaml", packages=["six"])


def test_file_and_variable(project: Path) -> None:
    (project / "specs.py").write_text(MODULE)
    assert load_spec("specs.py:app").name == "app"
    assert [s.name for s in load_specs("specs.py")] == ["base", "app"]  # each spec once
    with pytest.raises(SpecError, match="defines 2 ImageSpecs"):
        load_spec("specs.py")
    with pytest.raises(SpecError, match="not_a_spec is not an ImageSpec"):
        load_spec("specs.py:not_a_spec")


def test_module_path(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (project / "mypkg").mkdir()
    (project / "mypkg" / "__init__.py").write_text("")
    (project / "mypkg" / "images.py").write_text(MODULE)
    monkeypatch.syspath_prepend(str(project))
    try:
        assert load_spec("mypkg.images:base").apt_packages == ("git",)
    finally:
        for name in [n for n in sys.modules if n.startswith("mypkg")]:
            del sys.modules[name]


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        ("missing.py:x", "no such file"),
        ("no_such_module_anywhere:x", "cannot import"),
        ("nope.yaml", "nope.yaml"),
    ],
)
def test_errors_name_the_reference(project: Path, reference: str, message: str) -> None:
    with pytest.raises(SpecError, match=message):
        load_spec(reference)
