"""An OCI image layout tarball (BuildKit's `type=oci` export), read in place: nothing is unpacked.

A reproducible build exports its image as such an archive (docs/builders.md), and the registry client pushes
its blobs and manifests as they are, so the digest the registry holds is the one BuildKit wrote.
"""

from __future__ import annotations

import json
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from dockyard.errors import BuildError

INDEX_TYPES = frozenset(
    {
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
    }
)


@dataclass(frozen=True)
class Descriptor:
    """What an OCI descriptor says of one blob: its media type, digest and size in bytes."""

    media_type: str
    digest: str
    size: int

    @classmethod
    def of(cls, entry: Any, where: str) -> Descriptor:
        try:
            descriptor = cls(str(entry["mediaType"]), str(entry["digest"]), int(entry["size"]))
        except (TypeError, KeyError, ValueError):
            raise BuildError(f"{where}: not an OCI descriptor") from None
        if not descriptor.digest.startswith("sha256:"):
            raise BuildError(f"{where}: unexpected digest {descriptor.digest!r}")
        return descriptor


@dataclass(frozen=True)
class PushPlan:
    """What a push sends, in the order a registry accepts it: blobs, then the manifests an index lists,
    then the top manifest (the one the tag names)."""

    blobs: tuple[Descriptor, ...]
    manifests: tuple[Descriptor, ...]
    top: Descriptor


class OciArchive:
    """An open OCI layout tarball; use as a context manager."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._tar = tarfile.open(path)  # noqa: SIM115 (closed by __exit__: the archive is read lazily)
        except (OSError, tarfile.TarError) as exc:
            raise BuildError(f"{path}: not a readable OCI archive ({exc})") from None
        self._members = {m.name.removeprefix("./"): m for m in self._tar.getmembers() if m.isfile()}

    def __enter__(self) -> OciArchive:
        return self

    def __exit__(self, *exc: object) -> None:
        self._tar.close()

    def open(self, digest: str) -> IO[bytes]:
        """The blob with this digest, as a stream."""
        return self._stream(f"blobs/sha256/{digest.removeprefix('sha256:')}", f"blob {digest}")

    def _stream(self, name: str, what: str) -> IO[bytes]:
        member = self._members.get(name)
        stream = self._tar.extractfile(member) if member else None
        if stream is None:
            raise BuildError(f"{self.path}: {what} missing from the archive")
        return stream

    def read(self, digest: str) -> bytes:
        with self.open(digest) as stream:
            return stream.read()

    def plan(self) -> PushPlan:
        """Everything the archive's one image (or index) needs in a registry."""
        index = self._json("index.json")
        entries = index.get("manifests") or []
        if len(entries) != 1:
            raise BuildError(f"{self.path}: index.json lists {len(entries)} images, expected one")
        top = Descriptor.of(entries[0], f"{self.path}: index.json")
        children = list(self._children(top))
        blobs: dict[str, Descriptor] = {}
        for manifest in [*children, top]:
            if manifest.media_type not in INDEX_TYPES:
                for blob in self._blobs_of(manifest):
                    blobs.setdefault(blob.digest, blob)
        return PushPlan(blobs=tuple(blobs.values()), manifests=tuple(children), top=top)

    def _children(self, top: Descriptor) -> Iterator[Descriptor]:
        if top.media_type in INDEX_TYPES:
            for entry in self._json(top.digest).get("manifests") or []:
                yield Descriptor.of(entry, f"{self.path}: {top.digest}")

    def _blobs_of(self, manifest: Descriptor) -> Iterator[Descriptor]:
        document = self._json(manifest.digest)
        for entry in [document.get("config"), *(document.get("layers") or [])]:
            if entry is not None:
                yield Descriptor.of(entry, f"{self.path}: {manifest.digest}")

    def _json(self, name_or_digest: str) -> dict[str, Any]:
        if name_or_digest.startswith("sha256:"):
            raw = self.read(name_or_digest)
        else:
            with self._stream(name_or_digest, name_or_digest) as stream:
                raw = stream.read()
        try:
            document = json.loads(raw)
        except ValueError:
            raise BuildError(f"{self.path}: {name_or_digest} is not JSON") from None
        if not isinstance(document, dict):
            raise BuildError(f"{self.path}: {name_or_digest} is not a JSON object")
        return document
