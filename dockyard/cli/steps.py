"""Build steps named for people: "installing 12 packages" rather than BuildKit's env-laden command line.

The docker builder reports each step as BuildKit names it, less the `--mount=…` flags; the Dockerfile comes
from dockyard's templates, so each of its steps has a recognisable shape. A step of the user's own
(`commands`) is shown as the command it runs.
"""

from __future__ import annotations

import json
import re
from itertools import dropwhile
from typing import Any

_POSITION = re.compile(r"^\[(?:[\w.-]+ )?\d+/\d+\]\s*")  # BuildKit's "[stage 2/7] " prefix
_ENV_ASSIGNMENT = re.compile(r"^(?:[A-Z_][A-Z0-9_]*=\S*\s+)+")
_APT_INSTALL = re.compile(r"apt-get install\s+(.*)$")


def _words(text: str) -> list[str]:
    return [w for w in text.split() if not w.startswith("-") and w != "\\" and "&&" not in w]


def human_step(step: str, spec: Any = None) -> str:
    """A short phrase for one build step; `spec` (the ImageSpec being built, when known) adds counts."""
    text = _POSITION.sub("", step.strip())
    if text.startswith("[internal]"):
        return "pulling the base image" if "load metadata" in text else "preparing the build context"
    if text.startswith(("pushing", "exporting to image", "exporting")):
        return text if text.startswith("pushing:") else "pushing the image"
    if text.startswith("FROM"):
        return "pulling the base image"
    if text.startswith(("COPY", "ADD")):
        return "copying files into the image" if "--from=" not in text else "copying a tool into the image"
    if text.startswith(("ENV", "WORKDIR", "LABEL", "USER", "ENTRYPOINT", "CMD")):
        return "setting up the image"
    if not text.startswith("RUN"):
        return text[:80]
    command = _ENV_ASSIGNMENT.sub("", text[3:].strip())
    if "dockyard-wheel" in command:
        return "installing the dockyard runtime"
    apt = _APT_INSTALL.search(command)
    if apt:
        return _count(len(_words(apt.group(1))), "system package")
    if "micromamba" in command:
        return "installing conda packages"
    if " venv " in f" {command} ":
        python = re.search(r"--python (\S+)", command)
        return f"creating the Python {python.group(1)} environment" if python else "creating the environment"
    if "pip install" in command:
        return _pip_step(command, spec)
    if command.startswith("["):  # a user's command, as a JSON argv
        try:
            argv = json.loads(command)
        except ValueError:
            argv = None
        if isinstance(argv, list) and argv:
            words = [str(w) for w in argv]
            if words[0] == "env":  # the CA bundle's variables the template puts in front
                words = list(dropwhile(lambda w: "=" in w, words[1:]))
            shown = words[-1] if words[:2] == ["/bin/sh", "-c"] else " ".join(words)
            return f"running {shown[:70]}"
    return f"running {command[:70]}"


def _pip_step(command: str, spec: Any) -> str:
    if "packages.txt" in command:
        packages = list(getattr(spec, "packages", None) or ())
        return _count(len(packages), "package") if packages else "installing packages"
    if "requirements" in command:
        return "installing the requirements file"
    if "heavy" in command:
        return "installing a heavy layer's packages"
    if "lock" in command:
        return "installing locked packages"
    return "installing packages"


def _count(n: int, noun: str) -> str:
    return f"installing {n} {noun}{'' if n == 1 else 's'}"
