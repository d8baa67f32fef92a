"""Render a ResolvedSpec into a Dockerfile with the jinja2 partials in `dockyard/templates/dockerfile/`.

Rendering is a pure function of the resolved inputs plus the build-only facts in `RenderOptions` (which
secrets exist, the runtime wheel's file name): it reads no files of the project and no settings.
"""

from __future__ import annotations

import json
import posixpath
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from dockyard.errors import SpecError
from dockyard.imagespec import heavy_layers
from dockyard.imagespec.files import COPY_PREFIX
from dockyard.imagespec.resolve import TEMPLATE_DIR, ResolvedSpec
from dockyard.imagespec.spec import RENDERED_FIELDS as RENDERED_FIELDS  # defined beside the fields

if TYPE_CHECKING:
    import jinja2

VENV = "/opt/venv"
UV_DIR = "/tmp/dockyard-uv"  # bind mount of the context's uv/ folder: the client's uv binary
DEPS_DIR = "/tmp/dockyard-deps"
GEN_DIR = "/tmp/dockyard-gen"
WHEEL_DIR = "/tmp/dockyard-wheel"
CA_SECRET = "dockyard-ca"
CA_TARGET = f"/run/secrets/{CA_SECRET}"
CA_VARIABLES = ("SSL_CERT_FILE", "PIP_CERT", "REQUESTS_CA_BUNDLE")
PYTHON_DIR = "/opt/dockyard/python"  # python_provider "uv": where uv installs CPython in the image
LOCKS_DIR = "/tmp/dockyard-locks"  # bind mount of the context's locks/ folder


@dataclass(frozen=True)
class SecretMount:
    id: str
    target: str

    @property
    def flag(self) -> str:
        return f"--mount=type=secret,id={self.id},target={self.target},required=true"


@dataclass(frozen=True)
class RenderOptions:
    """Build-only facts that shape the Dockerfile text but not the image's identity."""

    ca_bundle: bool = False
    pip_secrets: tuple[SecretMount, ...] = ()  # mounted in every install step
    index_secret: str | None = None  # secret id holding the (credentialed) pip_index URL
    extra_index_secrets: dict[int, str] = field(default_factory=dict)  # position in pip_extra_index_url → id
    runtime_wheel: str | None = None  # file name in the context's wheel/ folder
    python_mirror: str | None = None  # UV_PYTHON_INSTALL_MIRROR for python_provider "uv"
    micromamba_image: str = "mambaorg/micromamba:2.0.5"  # python_provider "conda": source of /bin/micromamba
    conda_channel_mirrors: dict[str, str] = field(default_factory=dict)  # channel → URL used instead
    # FROM names the base by its tag, which the local engine holds at the hashed digest: BuildKit resolves a
    # tag there, but asks the registry for any `@digest` reference (a build that pushes nothing, offline).
    base_by_tag: bool = False


def env_quote(value: str, *, literal: bool = False) -> str:
    """A double-quoted Dockerfile word: spaces, quotes and backslashes arrive as written, while `$VAR` and
    `${VAR}` expand from the image's environment as Docker's ENV expands them (flytekit writes `ENV k=v`,
    so `PATH: /opt/x/bin:$PATH` extends the PATH there, and must here too). A `literal` word (a label: the
    inputs it records must read back byte for byte) keeps its `$` as written."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    if literal:
        escaped = escaped.replace("$", "\\$")
    return f'"{escaped}"'


LABEL_LINE = 4096  # characters of a label value per Dockerfile line (BuildKit refuses lines over 64 KiB)


def label_instructions(labels: Mapping[str, str]) -> str:
    """One LABEL instruction for `labels`, quoted as literal `env_quote` words. Labels travel in the
    Dockerfile, never in argv: the inputs label grows with the spec (5,000 packages overflow an argument's
    128 KiB). A long
    value is split over continuation lines, none starting with a space or `#` (which BuildKit would strip
    or read as a comment) and none splitting an escape."""
    if not labels:
        return ""
    words = []
    for key, value in sorted(labels.items()):
        if any(c in "\r\n" for c in key + value):
            raise SpecError(f"label {key.strip()!r}: a label holds no line break")
        pieces, start = [], 0
        while start < len(value):
            end = min(start + LABEL_LINE, len(value))
            while end < len(value) and value[end] in " \t#":
                end += 1
            pieces.append(env_quote(value[start:end], literal=True)[1:-1])
            start = end
        words.append(f'{env_quote(key, literal=True)}="' + "\\\n".join(pieces) + '"')
    return "LABEL " + " \\\n    ".join(words) + "\n"


COMMANDS_NAME = "dockyard-commands"  # $0 of the shell that runs the spec's commands, its last argument


def tojson_list(values: tuple[str, ...] | list[str]) -> str:
    return json.dumps(list(values), ensure_ascii=True)


@cache
def layer_time_fragments() -> tuple[str, ...]:
    """The shell the template puts around each RUN's own commands to date the layer's files (_macros.j2),
    on one line as BuildKit names the step: what a builder leaves out when it names a step to the user."""
    macros = _environment().get_template("_macros.j2").module
    start = " ".join(str(macros.layer_start()).split())  # type: ignore[attr-defined]
    ends = [" ".join(str(macros.layer_end(logs=logs)).split()) for logs in (True, False)]  # type: ignore[attr-defined]
    return (f"{start} && ", *(f" && {end}" for end in ends))


@cache
def _environment() -> jinja2.Environment:
    import jinja2  # the client's: a user module building an ImageSpec in a task image renders nothing

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters["env_quote"] = env_quote
    env.filters["tojson_list"] = tojson_list
    env.filters["sh"] = shlex.quote
    return env


def _index_args(resolved: ResolvedSpec, options: RenderOptions) -> tuple[str, str]:
    """(environment prefix, uv arguments) that name the package indexes.

    An index with credentials is read from its BuildKit secret into uv's environment (`UV_INDEX_URL`,
    `UV_EXTRA_INDEX_URL`) by the step's shell, never into an argument: argv is readable by every user of
    the build host (`ps`), a process's environment only by its owner. The shell's own argv holds only the
    `$(cat …)`. uv takes an argument over its variable, so with any secret every index goes through them."""
    torch = resolved.cuda.torch_index if resolved.cuda and resolved.cuda.torch_index else None
    # The PyTorch index also hosts old copies of common packages: let every index compete on version.
    strategy = " --index-strategy unsafe-best-match" if torch else ""
    if not options.index_secret and not options.extra_index_secrets:
        args = f" --index-url {shlex.quote(resolved.pip_index)}" if resolved.pip_index else ""
        for url in (*resolved.pip_extra_index_url, *([torch] if torch else [])):
            args += f" --extra-index-url {shlex.quote(url)}"
        return "", args + strategy
    env = ""
    if options.index_secret:
        env += f'UV_INDEX_URL="$(cat /run/secrets/{options.index_secret})" '
    elif resolved.pip_index:
        env += f"UV_INDEX_URL={shlex.quote(resolved.pip_index)} "
    # Index URLs hold no quote, `$`, backslash or space (grammar.index_url): safe between double quotes.
    extras = [
        f"$(cat /run/secrets/{options.extra_index_secrets[i]})" if i in options.extra_index_secrets else url
        for i, url in enumerate(resolved.pip_extra_index_url)
    ]
    if extras or torch:
        env += f'UV_EXTRA_INDEX_URL="{" ".join([*extras, *([torch] if torch else [])])}" '
    return env, strategy


def _conda(resolved: ResolvedSpec, options: RenderOptions) -> dict[str, object]:
    channels = resolved.conda_channels or ("conda-forge",)
    python = f"python={resolved.python_version}"
    return {
        "micromamba_image": options.micromamba_image,
        "lock": PurePosixPath(resolved.conda_lock).name if resolved.conda_lock else None,
        "channels": [shlex.quote(options.conda_channel_mirrors.get(c, c)) for c in channels],
        "specs": " ".join(shlex.quote(s) for s in (python, *resolved.conda_packages)),
    }


def render(resolved: ResolvedSpec, options: RenderOptions) -> str:
    """The Dockerfile text."""
    ca_mount = SecretMount(CA_SECRET, CA_TARGET)
    secret_mounts = [m.flag for m in options.pip_secrets]
    index_ids = [options.index_secret, *options.extra_index_secrets.values()]
    secret_mounts += [SecretMount(i, f"/run/secrets/{i}").flag for i in index_ids if i]
    if options.ca_bundle:
        secret_mounts.append(ca_mount.flag)
    requirements = None
    if resolved.requirements:
        entry = PurePosixPath(resolved.requirements.entry).relative_to("deps")
        requirements = {  # paths come from the user's file names: quoted for the shell
            "kind": resolved.requirements.kind,
            "path": shlex.quote(f"{DEPS_DIR}/{entry.as_posix()}"),
            "directory": shlex.quote(posixpath.normpath(f"{DEPS_DIR}/{entry.parent.as_posix()}")),
        }

    def command_argv(command: str, wrapper: str) -> list[str]:
        """`wrapper`, a script that runs its first argument with `/bin/sh -c`, given `command` as that
        argument: no character of the user's commands is parsed by the Dockerfile or by the wrapper."""
        ca_env = [f"{v}={CA_TARGET}" for v in CA_VARIABLES] if options.ca_bundle else []
        argv = ["/bin/sh", "-c", wrapper, COMMANDS_NAME, command]
        return ["env", *ca_env, *argv] if ca_env else argv

    index_env, index_args = _index_args(resolved, options)
    runtime = resolved.tools.dockyard
    template = _environment().get_template("Dockerfile.j2")
    return template.render(
        base=resolved.base_image.reference if options.base_by_tag else resolved.base_image.pinned,
        apt_packages=resolved.apt_packages,
        apt_options=f" -o Acquire::https::CAInfo={CA_TARGET}" if options.ca_bundle else "",
        python=resolved.python_version or "python3",
        python_provider=resolved.python_provider,
        python_dir=PYTHON_DIR,
        python_mirror=shlex.quote(options.python_mirror) if options.python_mirror else None,
        conda=_conda(resolved, options) if resolved.python_provider == "conda" else None,
        cuda_wheels=resolved.cuda.wheels if resolved.cuda else (),
        pip_lock=PurePosixPath(resolved.pip_lock).name if resolved.pip_lock else None,
        heavy_layers=heavy_layers.layer_names(resolved.heavy_layers),
        locks_dir=LOCKS_DIR,
        requirements=requirements,
        packages_file=bool(resolved.packages),
        # After a lock, a requirements file or conda every installed version is the user's: all are kept.
        runtime_exact=bool(resolved.requirements or resolved.pip_lock or resolved.conda_packages),
        runtime_wheel=options.runtime_wheel,
        runtime_requirement=shlex.quote(f"dockyard=={runtime.version}"),
        runtime_index_args=f" --index-url {shlex.quote(runtime.index)}" if runtime.index else index_args,
        runtime_extras="".join(f" --extra {e}" for e in runtime.extras),
        index_args=index_args,
        index_env=index_env,
        extra_args="".join(f" {shlex.quote(a)}" for a in resolved.pip_extra_args),
        env=resolved.env,
        commands=resolved.commands,
        command_argv=command_argv,
        entrypoint=resolved.entrypoint,
        has_copy=any(key.startswith(COPY_PREFIX) for key in resolved.files),
        has_source=any(key.startswith("/") for key in resolved.files),
        ca=options.ca_bundle,
        ca_mount=ca_mount.flag,
        ca_env="".join(f"{v}={CA_TARGET} " for v in CA_VARIABLES) if options.ca_bundle else "",
        secret_mounts=secret_mounts,
        venv=VENV,
        uv_dir=UV_DIR,
        deps_dir=DEPS_DIR,
        gen_dir=GEN_DIR,
        wheel_dir=WHEEL_DIR,
    )
