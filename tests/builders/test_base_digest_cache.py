"""A base image's digest is a positive registry answer like an image's existence: kept in the answer cache
for `build.exists_cache_ttl_s`, so a repeat check pins the base without asking the registry."""

from __future__ import annotations

from pathlib import Path

from dockyard.builders.engine import BuildEngine
from dockyard.builders.registry import RegistryClient
from tests.builders.conftest import build_settings


def test_base_digest_is_answered_from_the_cache_until_the_ttl(tmp_path: Path, base_image: str) -> None:
    settings = build_settings(tmp_path / "work")
    digest = RegistryClient(insecure=settings.build.insecure_registries).digest(base_image)
    assert digest is not None and digest.startswith("sha256:")

    first = BuildEngine(settings)
    assert first.lookup_digest(base_image) == digest
    assert first.registry._client is not None  # asked
    assert first.answers.get(base_image) is None  # not listed among the images the engine found or built

    again = BuildEngine(settings)  # another process would open the same answers.sqlite
    assert again.lookup_digest(base_image) == digest
    assert again.registry._client is None  # not asked: no HTTP client was even made

    expired = BuildEngine(build_settings(tmp_path / "work", exists_cache_ttl_s=0))
    assert expired.lookup_digest(base_image) == digest
    assert expired.registry._client is not None


def test_an_absent_base_is_not_cached(tmp_path: Path, base_image: str) -> None:
    settings = build_settings(tmp_path / "work")
    missing = base_image.rsplit(":", 1)[0] + ":no-such-tag-" + tmp_path.name[-8:]
    assert BuildEngine(settings).lookup_digest(missing) is None
    assert BuildEngine(settings).base_digests.get(missing) is None
