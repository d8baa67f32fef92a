"""The one entry point builders call: snapshot, hash, render, and hand over a BuildContext.

Files are copied into a fresh context directory in the same read that hashes them, so the tag covers exactly
the bytes sent to the builder, whatever happens to the project afterwards. Secrets (the CA bundle,
`pip_secret_mounts`, index URLs with credentials) are listed in `BuildContext.secrets` and written, when
they must be, to a `secrets/` folder beside the context, never inside it.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

from dockyard.config import BuildSettings
from dockyard.errors import SpecError
from dockyard.imagespec import grammar, heavy_layers
from dockyard.imagespec.context import BASE_NAME_LABEL, BuildContext
from dockyard.imagespec.cuda import labels as cuda_labels
from dockyard.imagespec.files import COPY_PREFIX, place, settle_times
from dockyard.imagespec.render import RenderOptions, SecretMount, render
from dockyard.imagespec.resolve import (
    LookupDigest,
    ResolvedSpec,
    canonical,
    repository,
    resolve,
    tag_for,
)
from dockyard.imagespec.runtime_install import needs_wheel, runtime_wheel, wheel_name
from dockyard.imagespec.spec import ImageSpec
from dockyard.imagespec.targets import package_indexes
from dockyard.imagespec.uv_binary import build_platform, build_uv
from dockyard.private_dirs import private_dir

LABEL_FILE_LIMIT = 256  # above this many files, the inputs label summarises them per folder


def summarize_files(files: dict[str, Any]) -> dict[str, Any]:
    """File records grouped per top folder (`/root/<first>`, `copy/<first>` or `deps`): a count and a digest
    of the group."""
    groups: dict[str, Any] = {}
    counts: dict[str, int] = {}
    for key in sorted(files):
        parts = key.split("/")
        depth = 3 if key.startswith("/") else 2 if key.startswith(COPY_PREFIX) else 1
        group = "/".join(parts[:depth])
        record = files[key]
        groups.setdefault(group, hashlib.sha256()).update(
            f"{key}\0{record['sha256']}\0{record['size']}\0{int(record['executable'])}\n".encode()
        )
        counts[group] = counts.get(group, 0) + 1
    return {g: {"files": counts[g], "sha256": h.hexdigest()} for g, h in groups.items()}


def is_summary(files: dict[str, Any]) -> bool:
    return any("files" in record for record in files.values())


def label_inputs(resolved: ResolvedSpec) -> dict[str, Any]:
    """The hash inputs as stored in the `dockyard.inputs` label: complete, except that a large file set is
    summarised per top folder (count and digest), which keeps the label small and still explainable."""
    data = resolved.canonical_data()
    if len(resolved.files) > LABEL_FILE_LIMIT:
        data["files"] = summarize_files(data["files"])
    return data


def labels(spec: ImageSpec, resolved: ResolvedSpec, spec_hash: str, tag: str) -> dict[str, str]:
    found = {
        "org.opencontainers.image.title": spec.name,
        "org.opencontainers.image.version": tag,
        BASE_NAME_LABEL: resolved.base_image.reference,
        "dockyard.version": resolved.tools.dockyard.version,
        "dockyard.spec-hash": spec_hash,
        "dockyard.spec-id": spec.identity(),
        "dockyard.inputs": canonical(label_inputs(resolved)),
    }
    if resolved.base_image.digest:
        found["org.opencontainers.image.base.digest"] = resolved.base_image.digest
    found.update(cuda_labels(resolved.cuda, resolved.cudnn))
    return found


def _write_secret(folder: Path, name: str, value: str) -> Path:
    folder.mkdir(mode=0o700, exist_ok=True)
    path = folder / name
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(value)
    return path


def _secrets(spec: ImageSpec, settings: BuildSettings, folder: Path) -> tuple[dict[str, Path], RenderOptions]:
    secrets: dict[str, Path] = {}
    if settings.ca_bundle is not None:
        if not settings.ca_bundle.is_file():
            raise SpecError(f"build.ca_bundle: {settings.ca_bundle} does not exist")
        secrets["dockyard-ca"] = settings.ca_bundle
    mounts = []
    for position, (src, dst) in enumerate(spec.pip_secret_mounts or ()):
        secret_id = f"dockyard-pip-{position}"
        secrets[secret_id] = spec.secret_file(src)
        mounts.append(SecretMount(secret_id, dst))
    index_secret = None
    index, extra = package_indexes(spec, settings)
    if index and grammar.has_credentials(index):
        index_secret = "dockyard-index"
        secrets[index_secret] = _write_secret(folder, index_secret, index)
    extra_secrets = {}
    for position, url in enumerate(extra):
        if grammar.has_credentials(url):
            secret_id = f"dockyard-extra-index-{position}"
            secrets[secret_id] = _write_secret(folder, secret_id, url)
            extra_secrets[position] = secret_id
    options = RenderOptions(
        ca_bundle=settings.ca_bundle is not None,
        pip_secrets=tuple(mounts),
        index_secret=index_secret,
        extra_index_secrets=extra_secrets,
        python_mirror=settings.uv_python_install_mirror,
        micromamba_image=settings.micromamba_image,
        conda_channel_mirrors=dict(settings.conda_channel_mirrors),
    )
    return secrets, options


def prepare(
    spec: ImageSpec,
    settings: BuildSettings,
    *,
    work_dir: Path,
    lookup_digest: LookupDigest | None = None,
    secrets_dir: Path | None = None,
    local_digest: LookupDigest | None = None,
) -> BuildContext:
    """Resolve → snapshot → hash → render into a fresh `<work_dir>/ctx-*/<spec hash>` and describe the build.

    The caller owns the `ctx-*` folder and removes it when done; secrets that must be written (an index URL
    with credentials) go to `secrets_dir`, a `private_dirs` folder the caller also owns (by default a
    `secrets/` sibling of the context, 0700 like the `ctx-*` folder). `local_digest` (a build into the local
    engine) tells the digest the local engine holds an image under: a base held there at the hashed digest is
    named by its tag, so that BuildKit takes it from the engine and asks no registry.
    """
    work_dir.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="ctx-", dir=work_dir))
    context = folder / "context"
    context.mkdir()
    runtime, wheel = None, None
    if needs_wheel(settings.runtime_source):
        runtime, wheel = runtime_wheel(settings.work_dir, settings.runtime_source, settings.runtime_extras)
    resolved = resolve(spec, settings, lookup_digest=lookup_digest, snapshot_dir=context, runtime=runtime)
    settle_times(context)
    uv = build_uv(resolved.platforms, settings)
    spec_hash = resolved.spec_hash()
    # buildx keeps a context's files between builds under the folder's name and sends again only those whose
    # size or mtime changed, and snapshot mtimes are no longer the moment of the copy (files.read): a folder
    # named by the hash of every input shares files only with a context of the very same files.
    context = context.rename(folder / spec_hash)
    tag = tag_for(spec_hash, spec.tag_format)
    secrets, options = _secrets(spec, settings, secrets_dir or folder / "secrets")

    place(uv, context / "uv" / "uv")
    if resolved.packages:
        (context / "gen").mkdir()
        (context / "gen" / "packages.txt").write_text("".join(f"{p}\n" for p in resolved.packages))
    if resolved.heavy_layers:
        lock_text = (context / resolved.pip_lock).read_text() if resolved.pip_lock else None
        layers = heavy_layers.layer_files(resolved.heavy_layers, resolved.packages, lock_text)
        heavy_layers.write(context / "gen", layers)
    if wheel is not None:
        place(wheel, context / "wheel" / wheel.name)
        options = replace(options, runtime_wheel=wheel.name)
    base = resolved.base_image
    if local_digest is not None and base.digest is not None and local_digest(base.reference) == base.digest:
        options = replace(options, base_by_tag=True)
    (context / "Dockerfile").write_text(render(resolved, options))

    return BuildContext(
        directory=context,
        image=f"{repository(spec, settings)}:{tag}",
        tag=tag,
        platforms=resolved.platforms,
        build_platform=build_platform(settings),
        labels=labels(spec, resolved, spec_hash, tag),
        secrets=secrets,
        builder=spec.builder or settings.builder,
        builder_options=dict(spec.builder_options or {}),
        fields_used=frozenset(f for f in spec.model_fields_set if getattr(spec, f) is not None),
    )


def render_dockerfile(
    spec: ImageSpec, settings: BuildSettings, *, lookup_digest: LookupDigest | None = None
) -> str:
    """The Dockerfile `prepare` would write, without writing a context or building the runtime wheel."""
    resolved = resolve(spec, settings, lookup_digest=lookup_digest)
    with private_dir("render") as scratch:  # the secret files are not needed, only their ids
        _, options = _secrets(spec, settings, scratch)
    if needs_wheel(settings.runtime_source):
        name = Path(settings.runtime_source).name if settings.runtime_source else None
        options = replace(options, runtime_wheel=name or wheel_name(resolved.tools.dockyard.version))
    return render(resolved, options)
