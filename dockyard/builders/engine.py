"""Check, then build: every spec ends as a digest in the registry, built at most once, wherever asked from.

The order for one spec: its nested base first; then the tag (from imagespec, base pinned by digest); then
the answer cache, then the registry; only an "absent" answer builds. An unclear answer (unreachable,
unauthorized, server error) stops, unless `allow_unknown_existence` opts in to building anyway: never
flytekit's "assume it exists". Independent specs build in parallel threads; the same spec asked twice shares
one future, and the same tag asked by two processes is serialised by a file lock, after which the registry
is asked again, so the second process finds the first one's push instead of building.
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from filelock import FileLock
from pydantic import BaseModel, Field

from dockyard import private_dirs
from dockyard.builders.answers import AnswerCache
from dockyard.builders.base import Builder
from dockyard.builders.plugins import check_fields, load_builder
from dockyard.builders.registry import Absent, Present, RegistryClient
from dockyard.config import BuildSettings, Settings, get_settings
from dockyard.errors import BuildError, RegistryError, SpecError
from dockyard.imagespec.context import BASE_NAME_LABEL, BuildContext
from dockyard.imagespec.spec import use_registry_view

if TYPE_CHECKING:
    from dockyard.imagespec import ImageSpec

Source = Literal["cache", "registry", "local", "built"]
EventKind = Literal["check", "present", "build", "step", "built", "failed"]


def missing_platforms(requested: tuple[str, ...], present: tuple[str, ...]) -> list[str]:
    """Requested platforms a registry image lacks (`linux/arm64` is met by `linux/arm64/v8`). A plain
    manifest (no index, `present` empty) stands for one platform: enough only when one was asked for."""
    if not present:
        return list(requested) if len(requested) > 1 else []
    return [p for p in requested if not any(f"{q}/".startswith(f"{p}/") for q in present)]


@dataclass(frozen=True)
class Presence:
    """Whether an image is there for every requested platform: the one check behind `build`, its dry run,
    `dockyard exists` and `ImageSpec.exist()`. `source` says who answered."""

    answer: Present | Absent
    platforms: tuple[str, ...]
    source: Literal["cache", "registry"]

    @property
    def missing(self) -> list[str]:
        """Requested platforms the image lacks (none when it is absent altogether)."""
        if isinstance(self.answer, Present):
            return missing_platforms(self.platforms, self.answer.platforms)
        return []

    @property
    def present(self) -> bool:
        return isinstance(self.answer, Present) and not self.missing


@dataclass(frozen=True)
class BuildOutcome:
    """Where one spec's image is: `image` is the tag, `image_ref` pins it by digest (what tasks run)."""

    image: str
    digest: str
    image_ref: str
    built: bool
    source: Source
    logs: str = ""
    duration_s: float | None = None  # built here: how long the builder took
    size_bytes: int | None = None  # built and pushed: config and compressed layers (`image_size`)


@dataclass(frozen=True)
class BuildEvent:
    """What the engine is doing, for progress displays and for tests that count builds."""

    kind: EventKind
    image: str
    detail: str = ""


@dataclass(frozen=True)
class PlanItem:
    """A dry-run answer: the tag a spec would get and whether the registry already has it."""

    image: str
    state: Literal["present", "absent", "unknown"]
    detail: str = ""


EventHook = Callable[[BuildEvent], None]


class BuildRecord(BaseModel):
    """What the last build of a tag took and made, kept beside its log (`logs/<tag>.json`) for the console."""

    duration_s: float
    size_bytes: int | None = None
    built_at: float = Field(default_factory=time.time)


def build_record_path(work_dir: Path, tag: str) -> Path:
    return work_dir / "logs" / f"{tag}.json"


def write_build_record(work_dir: Path, tag: str, record: BuildRecord) -> None:
    write_private(build_record_path(work_dir, tag), record.model_dump_json())


def write_private(path: Path, text: str) -> None:
    """A file under work_dir/logs that only its user reads: build logs name indexes and hosts (credentials
    stay in secrets), and their records sit beside them."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)


def read_build_record(work_dir: Path, tag: str) -> BuildRecord | None:
    """The tag's build record; None when it was never built here (found in the registry) or is unreadable."""
    path = build_record_path(work_dir, tag)
    try:
        return BuildRecord.model_validate_json(path.read_bytes())
    except (OSError, ValueError):
        return None


def _local_digest(ref: str) -> str | None:
    from dockyard.builders.docker import local_repo_digest  # the docker CLI, only when asked

    return local_repo_digest(ref)


def _fields_used(spec: ImageSpec) -> frozenset[str]:
    return frozenset(spec.declared())


class BuildEngine:
    """Thread-safe; one engine may serve many `ensure` calls, and remembers what it has ensured."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        registry: RegistryClient | None = None,
        on_event: EventHook | None = None,
    ) -> None:
        self.settings = settings or get_settings()
        self.registry = registry or RegistryClient(insecure=self.settings.build.insecure_registries)
        self.answers = AnswerCache(self.work_dir / "answers.sqlite", self.settings.build.exists_cache_ttl_s)
        # Base images' digests apart: answers.sqlite lists the images this engine found or built.
        self.base_digests = AnswerCache(
            self.work_dir / "base-digests.sqlite", self.settings.build.exists_cache_ttl_s
        )
        self.on_event = on_event
        self.builds = 0  # images actually built by this engine
        self._lock = threading.Lock()
        self._builders: dict[str, Builder] = {}
        self._done: dict[tuple[str, bool], Future[BuildOutcome]] = {}  # (tag, push) → its one outcome

    def for_settings(self, settings: Settings) -> BuildEngine:
        """This engine under other settings (e.g. more runtime extras), with the same registry client and
        event hook; itself when they are the same."""
        if settings == self.settings:
            return self
        return BuildEngine(settings, registry=self.registry, on_event=self.on_event)

    @property
    def work_dir(self) -> Path:
        return self.settings.build.work_dir

    # --- public API ---------------------------------------------------------------------------------------
    def ensure(
        self,
        specs: Iterable[ImageSpec],
        *,
        push: bool = True,
        force: bool = False,
        local: bool = False,
        verify: bool = False,
    ) -> dict[ImageSpec, BuildOutcome]:
        """Make every spec's image exist (built and pushed when absent); `force` rebuilds the given specs.

        With `push=False` nothing is asked of the registry: the image is built into the local engine (a
        repeat is quick from BuildKit's cache). `local` (a run on this very engine) goes further: an image
        whose content-addressed tag the local engine holds counts as present, with no build at all.
        `verify` (a run about to launch) trusts neither the answer cache nor what this engine found in an
        earlier call: an image lost since is rebuilt, not reported present."""
        push = push and not local
        wanted = list(dict.fromkeys(specs))
        for spec in wanted:
            self._check_builders(spec)
        if verify:  # outcomes of earlier calls are checked again; builds in flight are still shared
            with self._lock:
                self._done = {key: future for key, future in self._done.items() if not future.done()}
        ensure = functools.partial(self._ensure, push=push, force=force, local=local, use_cache=not verify)
        if len(wanted) == 1:
            return {wanted[0]: ensure(wanted[0])}
        pool = ThreadPoolExecutor(
            max_workers=self.settings.build.parallelism, thread_name_prefix="dockyard-build"
        )
        try:
            futures = {spec: pool.submit(ensure, spec) for spec in wanted}
            return {spec: future.result() for spec, future in futures.items()}
        except KeyboardInterrupt:
            self.cancel()  # the builds in flight stop; the finally waits for their threads
            raise
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def plan(self, specs: Iterable[ImageSpec]) -> dict[ImageSpec, PlanItem]:
        """What `ensure` would do, without building: each tag and whether the registry has it."""
        plan: dict[ImageSpec, PlanItem] = {}
        for spec in dict.fromkeys(specs):
            self._check_builders(spec)
            image = self.image_reference(spec)
            try:
                found = self.presence(image, spec.platforms, use_cache=True)
            except RegistryError as exc:
                plan[spec] = PlanItem(image=image, state="unknown", detail=str(exc))
                continue
            if found.present:
                assert isinstance(found.answer, Present)
                plan[spec] = PlanItem(image=image, state="present", detail=found.answer.digest)
            elif found.missing:  # as ensure: rebuilt
                plan[spec] = PlanItem(
                    image=image, state="absent", detail=f"no image for {', '.join(found.missing)}"
                )
            else:
                plan[spec] = PlanItem(image=image, state="absent")
        return plan

    def presence(self, image: str, platforms: tuple[str, ...], *, use_cache: bool) -> Presence:
        """Is `image` there for `platforms`? A cached positive answer that covers them when `use_cache`,
        else the registry's (a RegistryError when it cannot tell)."""
        cached = self.answers.get(image) if use_cache else None
        if cached is not None:
            found = Presence(answer=cached, platforms=platforms, source="cache")
            if found.present:
                return found
        return Presence(answer=self.registry.lookup(image), platforms=platforms, source="registry")

    def image_reference(self, spec: ImageSpec, *, offline: bool = False) -> str:
        """The full tag reference of a spec, base image pinned by digest when the registry knows it (or,
        `offline`, the local engine: see `lookup_digest`)."""
        from dockyard.imagespec.resolve import image_reference

        return image_reference(spec, self.settings.build, lookup_digest=self._digests(offline))

    def cancel(self) -> None:
        """Stop every build in flight (called on Ctrl-C)."""
        with self._lock:
            builders = list(self._builders.values())
        for builder in builders:
            cancel = getattr(builder, "cancel", None)
            if cancel is not None:
                cancel()

    # --- internals ----------------------------------------------------------------------------------------
    def _emit(self, kind: EventKind, image: str, detail: str = "") -> None:
        if self.on_event is not None:
            self.on_event(BuildEvent(kind=kind, image=image, detail=detail))

    def _builder(self, name: str) -> Builder:
        with self._lock:
            if name not in self._builders:
                self._builders[name] = load_builder(name, self.settings)
            return self._builders[name]

    def _check_builders(self, spec: ImageSpec) -> None:
        """Unknown builders and unsupported fields fail before anything runs, nested bases included."""
        base = spec.base_image
        if base is not None and not isinstance(base, str):
            self._check_builders(base)
        builder = self._builder(spec.builder or self.settings.build.builder)
        check_fields(builder, _fields_used(spec), image=spec.name)

    def _digests(self, offline: bool) -> Callable[[str], str | None]:
        return functools.partial(self.lookup_digest, offline=True) if offline else self.lookup_digest

    def lookup_digest(self, ref: str, *, offline: bool = False) -> str | None:
        """The digest of a base image, for imagespec's pinning; None when unknown and that is allowed.

        A positive answer is cached and trusted for `build.exists_cache_ttl_s`, like an image's existence,
        so a no-change check asks no registry at all; a base tag moved within the TTL is seen when it
        expires (0 asks every time). `offline` (a build that pushes nothing: `--no-push`, a run on the local
        engine) takes the digest the local engine holds the base under first; such a base is then named by
        its tag in FROM (prepare's `local_digest`), so neither dockyard nor BuildKit asks any registry."""
        if offline and (local := _local_digest(ref)) is not None:
            return local
        cached = self.base_digests.get(ref)
        if cached is not None:
            return cached.digest
        try:
            answer = self.registry.lookup(ref)
        except RegistryError:
            if self.settings.build.allow_unknown_existence:
                return None
            raise
        if not isinstance(answer, Present):
            return None
        self.base_digests.put(ref, answer)
        return answer.digest

    def _ensure(
        self, spec: ImageSpec, *, push: bool, force: bool, local: bool = False, use_cache: bool = True
    ) -> BuildOutcome:
        """Ensure the nested base, then claim the tag (or wait for whoever has it), then check and build.

        Claims are keyed by the tag, not the spec: the tag covers the files, so a spec whose files changed
        since an earlier call is checked again, and two specs with one tag are built once."""
        force = force or spec.is_force_push
        base = spec.base_image
        if base is not None and not isinstance(base, str):
            self._ensure(base, push=push, force=False, local=local, use_cache=use_cache)
        image = self.image_reference(spec, offline=not push)
        key = (image, push)
        with self._lock:
            future = None if force else self._done.get(key)
            owner = future is None
            if future is None:
                future = Future()
                self._done[key] = future
        if not owner:
            return future.result()
        try:
            outcome = self._check_then_build(
                spec, image, push=push, force=force, local=local, use_cache=use_cache
            )
        except BaseException as exc:
            with self._lock:
                if self._done.get(key) is future:
                    del self._done[key]
            future.set_exception(exc)
            raise
        future.set_result(outcome)
        return outcome

    def _existing(
        self, image: str, *, use_cache: bool, platforms: tuple[str, ...] = ()
    ) -> BuildOutcome | None:
        """The outcome for an image the registry already holds (every requested platform included), or
        None when it must be built."""
        self._emit("check", image)
        try:
            found = self.presence(image, platforms, use_cache=use_cache)
        except RegistryError as exc:
            if not self.settings.build.allow_unknown_existence:
                raise
            self._emit("check", image, f"building anyway: {exc}")
            return None
        if found.missing:
            self._emit("check", image, f"rebuilding: no image for {', '.join(found.missing)}")
            return None
        if not isinstance(found.answer, Present):
            return None
        if found.source == "registry":
            self.answers.put(image, found.answer)
        self._emit("present", image, "answer cache" if found.source == "cache" else "registry")
        return self._present(image, found.answer, found.source)

    @staticmethod
    def _present(image: str, answer: Present, source: Source) -> BuildOutcome:
        repository = image.rsplit(":", 1)[0]
        return BuildOutcome(
            image=image,
            digest=answer.digest,
            image_ref=f"{repository}@{answer.digest}",
            built=False,
            source=source,
        )

    def _in_local_engine(self, image: str) -> BuildOutcome | None:
        """The outcome for an image the local engine holds under its tag (runs on that engine only)."""
        from dockyard.builders.docker import local_image_id

        self._emit("check", image)
        image_id = local_image_id(image)
        if image_id is None:
            return None
        self._emit("present", image, "local engine")
        return BuildOutcome(image=image, digest=image_id, image_ref=image, built=False, source="local")

    def _check_then_build(
        self, spec: ImageSpec, image: str, *, push: bool, force: bool, local: bool, use_cache: bool
    ) -> BuildOutcome:
        if local and not force and (found := self._in_local_engine(image)) is not None:
            return found
        if push and not force:
            found = self._existing(image, use_cache=use_cache, platforms=spec.platforms)
            if found is not None:
                return found
        lock_dir = self.work_dir / "locks"
        lock_dir.mkdir(parents=True, exist_ok=True)
        with FileLock(lock_dir / f"{hashlib.sha256(image.encode()).hexdigest()[:32]}.lock"):
            if push and not force:  # another process may have pushed it while we waited for the lock
                found = self._existing(image, use_cache=False, platforms=spec.platforms)
                if found is not None:
                    return found
            if local and not force and (found := self._in_local_engine(image)) is not None:
                return found  # another process loaded it while we waited
            return self._build(spec, image, push=push)

    def _build(self, spec: ImageSpec, image: str, *, push: bool) -> BuildOutcome:
        from dockyard.imagespec import prepare

        builder = self._builder(spec.builder or self.settings.build.builder)
        contexts = self.work_dir / "contexts"
        contexts.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix="ctx-", dir=contexts))
        secrets = private_dirs.create("build")  # removed below; swept by a later command after a SIGKILL
        try:
            context = prepare(
                spec,
                self.settings.build,
                work_dir=scratch,
                lookup_digest=self._digests(not push),
                secrets_dir=secrets,
                local_digest=None if push else _local_digest,
            )
            if context.image != image:  # files changed since the check: build the snapshot, under its tag
                self._emit("check", image, f"files changed; building {context.image}")
                image = context.image
            check_fields(builder, context.fields_used, image=image)
            self._check_base_platforms(context, offline=not push)
            self._emit("build", image, builder.name)
            started = time.monotonic()
            try:
                result = builder.build(
                    context, push=push, on_step=lambda step: self._emit("step", image, step)
                )
            except BuildError as exc:
                self._save_logs(context.tag, exc.logs or str(exc))
                self._emit("failed", image, str(exc).splitlines()[0])
                raise
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
            private_dirs.remove(secrets)
        duration = round(time.monotonic() - started, 3)
        with self._lock:
            self.builds += 1
        self._save_logs(context.tag, result.logs)
        size = None
        if push:
            self.answers.put(image, Present(digest=result.digest, platforms=context.platforms))
            try:
                size = self.registry.image_size(result.image_ref)
            except RegistryError:  # pushed and verified already: only the size stays unknown
                size = None
        write_build_record(self.work_dir, context.tag, BuildRecord(duration_s=duration, size_bytes=size))
        self._emit("built", image, result.image_ref)
        return BuildOutcome(
            image=image,
            digest=result.digest,
            image_ref=result.image_ref,
            built=True,
            source="built",
            logs=result.logs,
            duration_s=duration,
            size_bytes=size,
        )

    def _check_base_platforms(self, context: BuildContext, *, offline: bool) -> None:
        """A target platform the base image lacks is a spec error here, not BuildKit's pull error later.

        A base the registry cannot describe (a local-only image, no answer) is left to the build, and so is
        one an offline build finds in the local engine (the registry is not asked)."""
        base = context.labels.get(BASE_NAME_LABEL, "scratch")
        if base == "scratch" or (offline and _local_digest(base) is not None):
            return
        try:
            offered = self.registry.image_platforms(base)
        except RegistryError:
            return
        missing = missing_platforms(context.platforms, offered)
        if missing:
            raise SpecError(
                f"ImageSpec.platform: {', '.join(missing)} not in the base image {base} "
                f"(it has {', '.join(offered) or 'no platform'})"
            )

    def _save_logs(self, tag: str, logs: str) -> None:
        """Keep the last build log of each tag under work_dir/logs, for bug reports."""
        write_private(self.work_dir / "logs" / f"{tag}.log", logs)


class _EngineRegistryView:
    """`ImageSpec.image_name()` / `exist()` through the engine, so they name and judge images as builds do."""

    @staticmethod
    def image_name(spec: ImageSpec, settings: BuildSettings | None) -> str:
        base = get_settings()
        engine = BuildEngine(base if settings is None else base.model_copy(update={"build": settings}))
        try:
            return engine.image_reference(spec)
        finally:
            engine.registry.close()

    @staticmethod
    def exist(spec: ImageSpec) -> bool:
        engine = BuildEngine(get_settings())
        try:
            return engine.presence(engine.image_reference(spec), spec.platforms, use_cache=False).present
        finally:
            engine.registry.close()

    @staticmethod
    def build(spec: ImageSpec) -> str:
        engine = BuildEngine(get_settings())
        try:
            return engine.ensure([spec], push=True)[spec].image
        finally:
            engine.registry.close()


use_registry_view(_EngineRegistryView())
