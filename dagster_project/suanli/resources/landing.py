"""Where source deliveries land: a directory, or an HTTP(S) base URL."""

from __future__ import annotations

import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from dagster import ConfigurableResource

from suanli.paths import resolve_from_repo


class DeliveryNotFound(FileNotFoundError):
    """The landing location has no file for this source and partition."""


class LandingResource(ConfigurableResource):
    """`location` is a directory (relative to the repo root) or an http(s):// base URL."""

    location: str
    timeout_seconds: float = 30.0
    retries: int = 3
    backoff_seconds: float = 1.0

    @property
    def is_url(self) -> bool:
        return urllib.parse.urlparse(self.location).scheme in ("http", "https")

    def describe(self, relative_path: str) -> str:
        if self.is_url:
            return urllib.parse.urljoin(self.location.rstrip("/") + "/", relative_path)
        return str(resolve_from_repo(self.location) / relative_path)

    def fetch(self, relative_path: str) -> bytes:
        """The delivery's bytes exactly as received."""
        if not self.is_url:
            path = Path(self.describe(relative_path))
            if not path.is_file():
                raise DeliveryNotFound(f"no delivery at {path}")
            return path.read_bytes()
        return self._fetch_url(self.describe(relative_path))

    def _fetch_url(self, url: str) -> bytes:
        last_error: Exception | None = None
        for attempt in range(self.retries + 1):
            try:
                with urllib.request.urlopen(url, timeout=self.timeout_seconds) as response:
                    return response.read()
            except urllib.error.HTTPError as error:
                if error.code == 404:
                    raise DeliveryNotFound(f"no delivery at {url} (HTTP 404)") from error
                last_error = error
            except (urllib.error.URLError, TimeoutError) as error:
                last_error = error
            if attempt < self.retries:
                time.sleep(self.backoff_seconds * 2**attempt)
        raise ConnectionError(
            f"could not fetch {url} after {self.retries + 1} attempts: {last_error}"
        )
