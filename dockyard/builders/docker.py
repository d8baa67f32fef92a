"""The `docker` builder: `docker buildx build` (BuildKit) on the local engine, pushed and verified by digest.

Why buildx and not the docker SDK: BuildKit gives secret mounts, cache mounts, registry cache export, layer
compression and a metadata file with the pushed digest; the CLI is the stable way to reach all of them.
Progress comes as `--progress=rawjson`, so a failure names the exact step and its own log lines rather than
whatever the terminal happened to show last.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from dockyard.builders.base import (
    REPRODUCIBLE_EPOCH,
    BuildResult,
    StepHook,
    cache_ref,
    image_output,
    verified_result,
)
from dockyard.builders.registry import ImageRef, RegistryClient
from dockyard.config import Settings, get_settings
from dockyard.errors import BuildError, RuntimeConflictError, SpecError
from dockyard.imagespec.context import BuildContext
from dockyard.imagespec.spec import RENDERED_FIELDS

_LOG_TAIL = 20
_STOP_GRACE_S = 20
_OPTIONS = frozenset({"builder", "network"})  # builder_options this builder understands
_BASE_PREFIX = "[internal] load metadata for "
_MOUNT_FLAG = re.compile(r"--mount=\S+\s+")
_PROCESS_FAILED = re.compile(r'^process ".*" did not complete successfully: (.+)$', re.DOTALL)
_PUSH_STEPS = ("pushing ", "exporting to image")  # the step that pushes: docker driver, container driver
_REGISTRY_5XX = re.compile(r"\b50[0234] [A-Z]")  # "500 Internal Server Error", "503 Service Unavailable", …
_PUSH_ATTEMPTS = 3


@dataclass
class _Vertex:
    number: int
    name: str
    lines: list[str] = field(default_factory=list)
    error: str = ""
    started: bool = False


@dataclass
class _Progress:
    """Follows BuildKit's SolveStatus stream: step names, each step's log, and a plain-text transcript."""

    on_step: StepHook | None
    vertexes: dict[str, _Vertex] = field(default_factory=dict)
    transcript: list[str] = field(default_factory=list)
    partial: dict[str, str] = field(default_factory=dict)  # vertex → unfinished last log line
    pending: list[str] = field(default_factory=list)  # lines of a JSON object not yet complete
    failed: list[_Vertex] = field(default_factory=list)
    pushed: dict[str, int] = field(default_factory=dict)  # layer id → bytes pushed so far
    reported: int = -(1 << 20)  # pushed bytes last reported through on_step

    def feed(self, line: str) -> None:
        """Take one output line: buildx prints each SolveStatus as indented JSON, and errors as plain text."""
        if not self.pending and not line.startswith("{"):
            if line.strip():
                self.transcript.append(line.rstrip())
            return
        self.pending.append(line)
        # Only a top-level closing brace (or a one-line object) can end an object: parse just then.
        if not (line.startswith("}") or (len(self.pending) == 1 and line.rstrip().endswith("}"))):
            return
        text = "".join(self.pending)
        self.pending.clear()
        try:
            status = json.loads(text)
        except ValueError:
            status = None
        if not isinstance(status, dict):  # not progress after all: keep it as text
            self.transcript.extend(line.rstrip() for line in text.splitlines() if line.strip())
            return
        for raw in status.get("vertexes") or []:
            self._vertex(raw)
        for log in status.get("logs") or []:
            self._log(log)
        for item in status.get("statuses") or []:
            self._pushing(item)

    def _pushing(self, item: dict[str, Any]) -> None:
        """Bytes of layers pushed so far, reported as a step each time another MiB has gone up."""
        vertex = self.vertexes.get(str(item.get("vertex", "")))
        if vertex is None or not vertex.name.startswith(_PUSH_STEPS) or not item.get("total"):
            return
        self.pushed[str(item.get("id", ""))] = int(item.get("current") or 0)
        total = sum(self.pushed.values())
        if self.on_step and total - self.reported >= 1 << 20:
            self.reported = total
            self.on_step(f"pushing: {total / (1 << 20):.1f} MiB pushed")

    def _vertex(self, raw: dict[str, Any]) -> None:
        digest = str(raw.get("digest", ""))
        vertex = self.vertexes.get(digest)
        if vertex is None:
            vertex = self.vertexes[digest] = _Vertex(
                number=len(self.vertexes) + 1, name=str(raw.get("name", ""))
            )
            self.transcript.append(f"#{vertex.number} {vertex.name}")
        if raw.get("started") and not vertex.started:
            vertex.started = True
            if self.on_step:  # whole, not cut to a line: progress views name the step from its command
                self.on_step(_plain_step(vertex.name))
        error = str(raw.get("error") or "")
        if error and not vertex.error:
            vertex.error = error
            self.transcript.append(f"#{vertex.number} ERROR: {error}")
            if "context canceled" not in error:
                self.failed.append(vertex)
        elif raw.get("completed") and not error:
            self.transcript.append(f"#{vertex.number} {'CACHED' if raw.get('cached') else 'DONE'}")

    def _log(self, log: dict[str, Any]) -> None:
        digest = str(log.get("vertex", ""))
        vertex = self.vertexes.get(digest)
        try:
            text = base64.b64decode(log.get("data") or "").decode("utf-8", "replace")
        except ValueError:
            return
        text = self.partial.pop(digest, "") + text.replace("\r\n", "\n").replace("\r", "\n")
        *complete, rest = text.split("\n")
        if rest:
            self.partial[digest] = rest
        for one in complete:
            if vertex is not None:
                vertex.lines.append(one)
            self.transcript.append(f"#{vertex.number if vertex else '?'} {one}")

    def push_failed_on_server_error(self) -> bool:
        """The push failed on a registry 5xx (e.g. distribution's tag-link race): pushing again is safe, since
        the layers are in BuildKit's cache and a tag is only written by the last, complete manifest."""
        return any(v.name.startswith(_PUSH_STEPS) and _REGISTRY_5XX.search(v.error) for v in self.failed)

    def failure(self, image: str, returncode: int) -> BuildError:
        """One line naming the failing step, then that step's last log lines."""
        for digest, rest in self.partial.items():
            if digest in self.vertexes:
                self.vertexes[digest].lines.append(rest)
        if not self.failed:  # no step failed: the export, the push or buildx itself did
            plain = [line for line in self.transcript if not line.startswith("#")]
            summary = plain[-1] if plain else f"docker buildx exited with {returncode}"
            tail = "\n".join(f"  | {line}" for line in self.transcript[-_LOG_TAIL:-1] if line != summary)
            head = f"{image}: build failed: {summary.removeprefix('ERROR: ')}"
            return BuildError(f"{head}\n{tail}" if tail else head)
        vertex = self.failed[0]
        if vertex.name.startswith(_BASE_PREFIX):
            base = vertex.name.removeprefix(_BASE_PREFIX)
            return BuildError(f"{image}: base image {base} cannot be pulled: {_last_line(vertex.error)}")
        from dockyard.image_install import CONFLICT_MARK  # the image's script (argparse): only on failure

        conflict = [line for line in vertex.lines if line.startswith(CONFLICT_MARK)]
        if conflict:
            return RuntimeConflictError(f"{image}: {conflict[-1].removeprefix(CONFLICT_MARK).strip()}")
        tail = "\n".join(f"  | {line}" for line in vertex.lines[-_LOG_TAIL:])
        head = f"{image}: build failed at step `{_step_name(vertex.name)}`: {_last_line(vertex.error)}"
        if any(_NO_PYTHON in line for line in vertex.lines):
            head += f" ({_PYTHON_HINT})"
        return BuildError(f"{head}\n{tail}" if tail else head)


# uv's words when the base image lacks the spec's python_version; flytekit's own base would install it.
_NO_PYTHON = "No interpreter found for Python"
_PYTHON_HINT = (
    "the base image has no such Python: set python_provider to 'uv' to install it,"
    " or a base_image that has it"
)


def _step_name(name: str) -> str:
    return _one_line(_plain_step(name))


def _plain_step(name: str) -> str:
    """A step as the user wrote it, on one line: BuildKit's name without what the template adds (the
    `--mount=…` flags, the shell that dates the layer's files); the commands step as the spec's commands."""
    from dockyard.imagespec.render import COMMANDS_NAME, layer_time_fragments  # only while a build runs

    unmounted = _MOUNT_FLAG.sub("", name)
    head, run, argv = unmounted.partition(" RUN [")
    _, marker, commands = argv.rpartition(f'"{COMMANDS_NAME}", "')  # BuildKit quotes, never escapes
    if run and marker and commands.endswith('"]'):
        return " ".join(head.split()) + " RUN " + commands.removesuffix('"]')
    flat = " ".join(unmounted.split())
    for fragment in layer_time_fragments():
        flat = flat.replace(fragment, "")
    return flat


def _one_line(text: str, limit: int = 200) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _last_line(text: str) -> str:
    """The useful end of a BuildKit error, without the command it repeats from the step name."""
    lines = [line for line in text.strip().splitlines() if line.strip()]
    last = lines[-1] if lines else text
    repeated = _PROCESS_FAILED.match(last)
    return _one_line(f"command failed with {repeated.group(1)}" if repeated else last)


class DockerBuilder:
    """Builds a BuildContext with `docker buildx build` and returns the digest the registry holds."""

    name: ClassVar[str] = "docker"
    supported_fields: ClassVar[frozenset[str]] = RENDERED_FIELDS

    def __init__(self, settings: Settings | None = None, *, registry: RegistryClient | None = None) -> None:
        self.settings = settings or get_settings()
        self.registry = registry or RegistryClient(insecure=self.settings.build.insecure_registries)
        self._running: set[subprocess.Popen[str]] = set()
        self._lock = threading.Lock()
        self._cancelled = threading.Event()

    def command(self, context: BuildContext, *, push: bool, metadata_file: Path) -> list[str]:
        """The buildx command line; secrets appear only as `id=…,src=<host path>`, never their contents. Its
        length does not grow with the spec: labels go in a Dockerfile written beside `metadata_file`."""
        unknown = sorted(set(context.builder_options) - _OPTIONS)
        if unknown:
            known = ", ".join(sorted(_OPTIONS))
            raise SpecError(
                f"builder_options: {', '.join(unknown)} not understood by the docker builder ({known})"
            )
        build = self.settings.build
        cmd = ["docker", "buildx", "build", "--progress=rawjson", "--metadata-file", str(metadata_file)]
        buildx_builder = context.builder_options.get("builder") or build.buildx_builder
        if buildx_builder:
            cmd += ["--builder", buildx_builder]
        if "network" in context.builder_options:
            cmd += ["--network", context.builder_options["network"]]
        labeled = metadata_file.with_name("labeled.Dockerfile")  # the labels: never in argv (they grow)
        labeled.write_text(context.labeled_dockerfile(build.labels))  # dockyard's own labels win
        cmd += ["--file", str(labeled)]
        if context.platforms:
            cmd += ["--platform", ",".join(context.platforms)]
        for secret_id, path in sorted(context.secrets.items()):
            cmd += ["--secret", f"id={secret_id},src={path}"]
        insecure = ",registry.insecure=true" if self._insecure(context.image) else ""
        if push and build.reproducible:
            # provenance records when the build ran and a random id: a reproducible push leaves it out
            cmd += ["--build-arg", f"SOURCE_DATE_EPOCH={REPRODUCIBLE_EPOCH}", "--provenance=false"]
        # Not pushed: into the engine's store like --load, with the same compression options, which
        # --load cannot take (BuildKit's default gzip level doubled a cold ML build's layer export).
        cmd += ["--output", image_output(context, build, push=push) + (insecure if push else "")]
        if build.registry_cache:
            cache = f"type=registry,ref={cache_ref(context)}{insecure}"
            cmd += ["--cache-from", cache]
            if push:
                cmd += ["--cache-to", f"{cache},mode=max"]
        cmd += [arg for source in build.cache_from for arg in ("--cache-from", source)]
        cmd += [arg for export in build.cache_to for arg in ("--cache-to", export)]
        cmd += ["--no-cache"] * build.no_cache + ["--pull"] * build.pull
        cmd.append(str(context.directory))
        return cmd

    def build(self, context: BuildContext, *, push: bool, on_step: StepHook | None = None) -> BuildResult:
        """Build (and push) the context; BuildError names the failing step; Ctrl-C stops the build."""
        if not context.dockerfile.is_file():
            raise BuildError(f"{context.dockerfile}: no Dockerfile in the build context")
        transcripts: list[str] = []
        with tempfile.TemporaryDirectory(prefix="dockyard-buildx-") as tmp:
            metadata_file = Path(tmp) / "metadata.json"
            command = self.command(context, push=push, metadata_file=metadata_file)
            for attempt in range(1, _PUSH_ATTEMPTS + 1):
                progress = _Progress(on_step=on_step)
                returncode = self._run(command, progress.feed)
                transcripts += progress.transcript
                if self._cancelled.is_set():
                    raise KeyboardInterrupt
                if returncode == 0:
                    break
                if not (push and attempt < _PUSH_ATTEMPTS and progress.push_failed_on_server_error()):
                    failure = progress.failure(context.image, returncode)
                    failure.logs = "\n".join(transcripts)  # the engine keeps them, as for a success
                    raise failure
                transcripts.append(
                    f"registry error while pushing: building and pushing again ({attempt + 1})"
                )
                if on_step:
                    on_step(transcripts[-1])
                time.sleep(attempt)
            digest = _read_digest(metadata_file, context.image)
        return verified_result(self.registry, context, digest, "\n".join(transcripts), push=push)

    def _insecure(self, image: str) -> bool:
        return ImageRef.parse(image).host in self.settings.build.insecure_registries

    def cancel(self) -> None:
        """Stop every build in flight (safe from any thread: the engine calls it on Ctrl-C)."""
        self._cancelled.set()
        with self._lock:
            running = list(self._running)
        for proc in running:
            _interrupt(proc)

    def _run(self, cmd: list[str], feed: Callable[[str], None]) -> int:
        # A session of its own: Ctrl-C reaches us only, and we stop buildx deliberately (and wait for it).
        proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            start_new_session=True,
        )
        with self._lock:
            self._running.add(proc)
        try:
            assert proc.stdout is not None
            for line in proc.stdout:
                feed(line)
            return proc.wait()
        except BaseException:
            _interrupt(proc)
            raise
        finally:
            with self._lock:
                self._running.discard(proc)


def _interrupt(proc: subprocess.Popen[str]) -> None:
    """SIGINT the buildx process group (buildx cancels the solve, so no manifest is pushed), then wait."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGINT)
    try:
        proc.wait(timeout=_STOP_GRACE_S)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def _read_digest(metadata_file: Path, image: str) -> str:
    try:
        metadata = json.loads(metadata_file.read_text())
        digest = str(metadata["containerimage.digest"])
    except (OSError, ValueError, KeyError, TypeError):
        raise BuildError(f"{image}: buildx wrote no containerimage.digest to {metadata_file.name}") from None
    if not digest.startswith("sha256:"):
        raise BuildError(f"{image}: buildx reported an unexpected digest {digest!r}")
    return digest


def local_image_id(image: str) -> str | None:
    """The id of `image` in the local engine's store, or None when the engine holds no such tag."""
    done = subprocess.run(
        ["docker", "image", "inspect", "--format", "{{.Id}}", image],
        capture_output=True,
        text=True,
        check=False,
    )
    image_id = done.stdout.strip()
    return image_id if done.returncode == 0 and image_id.startswith("sha256:") else None


def local_repo_digest(ref: str) -> str | None:
    """The digest under which the local engine holds `ref` for its repository, or None when the engine
    does not hold it."""
    done = subprocess.run(
        ["docker", "image", "inspect", "--format", "{{json .RepoDigests}}", ref],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        return None
    wanted = ImageRef.parse(ref)
    for entry in json.loads(done.stdout or "null") or ():
        found = ImageRef.parse(entry)
        if (found.host, found.repository) == (wanted.host, wanted.repository):
            return found.reference
    return None


def add_tags(image_ref: str, tags: list[str], *, pushed: bool) -> list[str]:
    """More names for a built image (`dockyard build -t`): a bare tag names the image's own repository.
    A pushed image is tagged through the engine and pushed under each name, so every name carries the very
    manifest the build pushed (`buildx imagetools create` would wrap a single manifest in a new index, with
    another digest); the engine pulls it first if it does not hold it. A loaded one is tagged locally."""
    parsed = ImageRef.parse(image_ref)
    base = f"{parsed.host}/{parsed.repository}"
    named = [tag if ("/" in tag or ":" in tag) else f"{base}:{tag}" for tag in tags]
    if pushed and _docker("image", "inspect", image_ref).returncode != 0:
        _checked(f"--tag {named[0]}" if named else image_ref, _docker("pull", "--quiet", image_ref))
    for name in named:
        _checked(f"--tag {name}", _docker("tag", image_ref, name))
        if pushed:
            _checked(f"--tag {name}", _docker("push", "--quiet", name))
    return named


def _docker(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["docker", *args], capture_output=True, text=True, check=False)


def _checked(what: str, done: subprocess.CompletedProcess[str]) -> None:
    if done.returncode != 0:
        raise BuildError(f"{what}: {_last_line(done.stderr or done.stdout)}")
