"""An OCI Distribution API client that gives a present/absent answer or a clear error, never a guess.

flytekit's `exist()` asked the Docker daemon and, on any error it did not understand, assumed the image
existed.
Here only a manifest the registry returns (present) or a 404 (absent; also Harbor's 500 "not found") are
answers; 401/403, connection failures and other server errors raise, each naming the registry.
"""

from __future__ import annotations

import base64
import hashlib
import re
import threading
from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from dockyard.builders.credentials import Credentials, credentials_for
from dockyard.errors import RegistryError
from dockyard.imagespec.targets import host_platform

if TYPE_CHECKING:  # httpx is imported on first use: with click and rich installed it loads its CLI too
    import httpx

_INDEX_TYPES = frozenset(
    {
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
    }
)
_MANIFEST_TYPES = frozenset(
    {
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.v2+json",
    }
)
ACCEPT = ", ".join(sorted(_INDEX_TYPES | _MANIFEST_TYPES))
_LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})
# Harbor: `unknown: repository library/app not found` (or artifact …:tag) in the body of a 500.
_NOT_FOUND_500 = re.compile(r"\b(?:artifact|repository|manifest|tag)\b[^\n]*\bnot[ _]found", re.IGNORECASE)
_CHALLENGE_PARAM = re.compile(r'(\w+)="([^"]*)"')


class Unauthorized(RegistryError):
    """The registry refused us: no credentials, wrong credentials, or no access to the repository."""


class Unreachable(RegistryError):
    """No HTTP answer at all: DNS, refused connection, TLS failure or timeout."""


class ServerError(RegistryError):
    """The registry answered with something that is neither present nor absent."""


@dataclass(frozen=True)
class Present:
    digest: str  # the manifest (or index) digest the tag points to
    # "os/arch[/variant]" of every image in an index, attestations left out; () for a single-image manifest
    platforms: tuple[str, ...]


@dataclass(frozen=True)
class Absent:
    pass


@dataclass(frozen=True)
class ImageRef:
    """A parsed `[host/]repository[:tag][@digest]` reference."""

    host: str  # as written (docker.io for Docker Hub)
    repository: str
    reference: str  # the tag or the digest

    @classmethod
    def parse(cls, ref: str) -> ImageRef:
        name, digest = ref.split("@", 1) if "@" in ref else (ref, "")
        first, _, rest = name.partition("/")
        if rest and ("." in first or ":" in first or first == "localhost"):
            host, path = first, rest
        else:
            host, path = "docker.io", name
            if "/" not in path:
                path = f"library/{path}"
        tag = ""
        if ":" in path.rsplit("/", 1)[-1]:
            path, tag = path.rsplit(":", 1)
        if not path:
            raise RegistryError(f"{ref}: not an image reference")
        return cls(host=host, repository=path, reference=digest or tag or "latest")

    @property
    def api_host(self) -> str:
        return "registry-1.docker.io" if self.host == "docker.io" else self.host

    def base_url(self, insecure: Collection[str] = ()) -> str:
        """http for loopback registries and those listed as insecure, https for every other."""
        hostname = urlparse(f"//{self.api_host}").hostname or ""
        plain = hostname in _LOOPBACK or self.api_host in insecure or self.host in insecure
        return f"{'http' if plain else 'https'}://{self.api_host}"


def _basic(creds: Credentials) -> str:
    return "Basic " + base64.b64encode(f"{creds.username}:{creds.secret}".encode()).decode()


def _platform_of(entry: dict[str, Any]) -> str:
    plat = entry.get("platform") or {}
    text = f"{plat.get('os', 'unknown')}/{plat.get('architecture', 'unknown')}"
    return f"{text}/{plat['variant']}" if plat.get("variant") else text


class RegistryClient:
    """Thread-safe: one httpx client and a token cache per (registry, repository) shared by all threads."""

    def __init__(self, *, timeout_s: float = 30.0, insecure: Collection[str] | None = None) -> None:
        if insecure is None:
            from dockyard.config import get_settings

            insecure = get_settings().build.insecure_registries
        self.insecure = frozenset(insecure)
        self._timeout_s = timeout_s
        self._client: httpx.Client | None = None  # made on first use: loading the CA bundle costs ~0.1 s
        self._auth: dict[tuple[str, str], str] = {}  # (host, repository) → Authorization header value
        self._creds: dict[str, Credentials | None] = {}
        self._lock = threading.Lock()

    @property
    def _http(self) -> httpx.Client:
        with self._lock:
            if self._client is None:
                import httpx

                self._client = httpx.Client(timeout=self._timeout_s, follow_redirects=True)
            return self._client

    def close(self) -> None:
        with self._lock:
            if self._client is not None:
                self._client.close()

    def __enter__(self) -> RegistryClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- public API ---------------------------------------------------------------------------------------
    def lookup(self, ref: str) -> Present | Absent:
        """Present(digest, platforms) or Absent; Unauthorized, Unreachable or ServerError when no answer."""
        image = ImageRef.parse(ref)
        resp = self._request("HEAD", image, f"manifests/{image.reference}", accept=ACCEPT)
        if resp.status_code == 405:  # a registry without HEAD on manifests
            resp = self._request("GET", image, f"manifests/{image.reference}", accept=ACCEPT)
        if resp.status_code == 404:
            return Absent()
        if resp.status_code >= 500:
            # HEAD has no body; Harbor says "not found" only in the body of its 500.
            body = self._request("GET", image, f"manifests/{image.reference}", accept=ACCEPT)
            if body.status_code == 404 or (body.status_code >= 500 and _NOT_FOUND_500.search(body.text)):
                return Absent()
            self._raise_for(image, body)
        self._raise_for(image, resp)
        media_type = resp.headers.get("content-type", "").split(";")[0].strip()
        digest = resp.headers.get("docker-content-digest", "")
        if media_type in _INDEX_TYPES or not digest:
            manifest, digest = self._manifest(image, image.reference)
            media_type = manifest.get("mediaType", media_type)
            if media_type in _INDEX_TYPES or "manifests" in manifest:
                listed = (_platform_of(m) for m in manifest.get("manifests", []))
                platforms = tuple(p for p in listed if p != "unknown/unknown")
                return Present(digest=digest, platforms=platforms)
        return Present(digest=digest, platforms=())

    def digest(self, ref: str) -> str | None:
        """The digest a reference points to, or None when absent (the `lookup_digest` hook of imagespec)."""
        answer = self.lookup(ref)
        return answer.digest if isinstance(answer, Present) else None

    def image_labels(self, ref: str) -> dict[str, str]:
        """`config.Labels` of an image (for an index, the host platform's image); {} when it has none."""
        image = ImageRef.parse(ref)
        manifest = self._host_manifest(image, ref)
        labels = (self._config(image, manifest, ref).get("config") or {}).get("Labels") or {}
        return {str(k): str(v) for k, v in labels.items()}

    def image_size(self, ref: str) -> int:
        """Bytes a pull of the image moves (for an index, the host platform's image): its config and its
        compressed layers, as its manifest lists them."""
        manifest = self._host_manifest(ImageRef.parse(ref), ref)
        blobs = [manifest.get("config") or {}, *(manifest.get("layers") or [])]
        return sum(int(blob.get("size") or 0) for blob in blobs)

    def image_platforms(self, ref: str) -> tuple[str, ...]:
        """The platforms an image offers: its index's entries (attestations skipped), or its config's."""
        image = ImageRef.parse(ref)
        manifest, _ = self._manifest(image, image.reference)
        if "manifests" in manifest:
            listed = (_platform_of(m) for m in manifest["manifests"])
            return tuple(p for p in listed if p != "unknown/unknown")
        return (_platform_of({"platform": self._config(image, manifest, ref)}),)

    # --- internals ----------------------------------------------------------------------------------------
    def _host_manifest(self, image: ImageRef, ref: str) -> dict[str, Any]:
        """The image manifest of `ref`; for an index, that of the host platform's entry."""
        manifest, _ = self._manifest(image, image.reference)
        if "manifests" in manifest:
            wanted = host_platform()
            candidates = [m for m in manifest["manifests"] if _platform_of(m) != "unknown/unknown"]
            chosen = next((m for m in candidates if _platform_of(m).startswith(wanted)), None)
            if chosen is None:
                raise RegistryError(f"{ref}: no image for platform {wanted} in the index")
            manifest, _ = self._manifest(image, chosen["digest"])
        return manifest

    def _config(self, image: ImageRef, manifest: dict[str, Any], ref: str) -> dict[str, Any]:
        """The image config blob (os, architecture, config.Labels, ...) a manifest names."""
        config_digest = (manifest.get("config") or {}).get("digest")
        if not config_digest:
            raise ServerError(f"{image.host}: manifest of {ref} names no config blob")
        resp = self._request("GET", image, f"blobs/{config_digest}", accept="*/*")
        self._raise_for(image, resp)
        try:
            config = resp.json()
        except ValueError:
            raise ServerError(f"{image.host}: config blob of {ref} is not JSON") from None
        if not isinstance(config, dict):
            raise ServerError(f"{image.host}: config blob of {ref} is not a JSON object")
        return config

    def _manifest(self, image: ImageRef, reference: str) -> tuple[dict[str, Any], str]:
        resp = self._request("GET", image, f"manifests/{reference}", accept=ACCEPT)
        if resp.status_code == 404:
            raise RegistryError(f"{image.host}/{image.repository}:{reference}: no such image in the registry")
        self._raise_for(image, resp)
        computed = f"sha256:{hashlib.sha256(resp.content).hexdigest()}"
        digest = resp.headers.get("docker-content-digest") or computed
        try:
            return resp.json(), digest
        except ValueError:
            raise ServerError(f"{image.host}: manifest of {image.repository} is not JSON") from None

    def _raise_for(self, image: ImageRef, resp: httpx.Response) -> None:
        code = resp.status_code
        if code < 400:
            return
        if code in (401, 403):
            creds = self._credentials(image.api_host)
            why = "credentials rejected" if creds else "authentication required and no credentials found"
            raise Unauthorized(f"{image.host}: {why} for {image.repository} (HTTP {code}; `docker login`?)")
        raise ServerError(f"{image.host}: HTTP {code} for {image.repository}:{image.reference}")

    def _credentials(self, host: str) -> Credentials | None:
        with self._lock:
            if host not in self._creds:
                self._creds[host] = credentials_for(host)
            return self._creds[host]

    def _send(self, method: str, url: str, headers: dict[str, str], host: str) -> httpx.Response:
        import httpx

        try:
            return self._http.request(method, url, headers=headers)
        except httpx.TimeoutException:
            raise Unreachable(f"{host}: registry timed out") from None
        except httpx.HTTPError as exc:
            raise Unreachable(f"{host}: registry unreachable ({type(exc).__name__}: {exc})") from None

    def _request(self, method: str, image: ImageRef, path: str, *, accept: str) -> httpx.Response:
        url = f"{image.base_url(self.insecure)}/v2/{image.repository}/{path}"
        key = (image.api_host, image.repository)
        headers = {"Accept": accept}
        cached = self._auth.get(key)
        if cached:
            headers["Authorization"] = cached
        resp = self._send(method, url, headers, image.host)
        if resp.status_code != 401:
            return resp
        authorization = self._authorize(image, resp.headers.get("www-authenticate", ""))
        if authorization is None:
            return resp
        with self._lock:
            self._auth[key] = authorization
        return self._send(method, url, {**headers, "Authorization": authorization}, image.host)

    def _authorize(self, image: ImageRef, challenge: str) -> str | None:
        """Answer a 401 challenge: Basic from the stored credentials, or a Bearer token from the realm."""
        scheme, _, params_text = challenge.partition(" ")
        creds = self._credentials(image.api_host)
        if scheme.lower() == "basic":
            return None if creds is None else _basic(creds)
        if scheme.lower() != "bearer":
            return None
        params = dict(_CHALLENGE_PARAM.findall(params_text))
        realm = params.pop("realm", "")
        if not realm:
            raise ServerError(f"{image.host}: bearer challenge without a realm")
        query = {"service": params.get("service", "")} if params.get("service") else {}
        query["scope"] = params.get("scope") or f"repository:{image.repository}:pull"
        import httpx

        try:
            if creds is not None and creds.username == "<token>":
                # An identity token (`docker login` to ACR and the like) is an OAuth2 refresh token.
                form = {"grant_type": "refresh_token", "refresh_token": creds.secret, "client_id": "dockyard"}
                resp = self._http.post(realm, data={**query, **form})
            else:
                auth = httpx.BasicAuth(creds.username, creds.secret) if creds else None
                resp = self._http.get(realm, params=query, auth=auth)
        except httpx.HTTPError as exc:
            why = type(exc).__name__
            raise Unreachable(f"{image.host}: token server {realm} unreachable ({why})") from None
        if resp.status_code in (401, 403):
            why = "credentials rejected" if creds else "authentication required and no credentials found"
            raise Unauthorized(f"{image.host}: {why} by token server {realm} (HTTP {resp.status_code})")
        if resp.status_code >= 400:
            raise ServerError(f"{image.host}: token server {realm} answered HTTP {resp.status_code}")
        try:
            body = resp.json()
            token = body.get("token") or body.get("access_token")
        except (ValueError, AttributeError):
            token = None
        if not token:
            raise ServerError(f"{image.host}: token server {realm} returned no token")
        return f"Bearer {token}"
