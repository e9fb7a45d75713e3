"""Where source deliveries land: a directory, or an HTTP(S) base URL, per source if need be.

Over HTTP(S) every file is fetched with a timeout and retried with exponential backoff on
timeouts, broken connections, 5xx and 429 (whose `Retry-After` is honoured, capped); other 4xx
are final. When the publisher gives a checksum (a `<file>.sha256` sidecar, or a `Digest`,
`Repr-Digest`, `Content-Digest` or `Content-MD5` header) the bytes are verified against it, and
a short body (fewer bytes than `Content-Length`) counts as corruption too.

Authenticated feeds take a bearer token (or a token in a header of its own) and/or a basic-auth
user and password, bound to environment variables with `dagster.EnvVar` so neither the UI nor the
run config shows them. No secret is ever written to a message, log line or metadata: URLs are
shown without user info and with secret-looking query parameters redacted, request headers are
never echoed, and every text this module produces passes through `scrub()` last.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import http.client
import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import Message
from email.utils import parsedate_to_datetime
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

from dagster import ConfigurableResource, EnvVar, get_dagster_logger
from pydantic import Field

from suanli import settings
from suanli.settings import SNAPSHOT_DIR, resolve_from_repo

SIDECAR_SUFFIX = ".sha256"
REDACTED = "REDACTED"
# How `LandingResource.from_env()` parses the plain settings (`settings.LANDING_FIELDS`); the
# secret ones are bound as `EnvVar`s.
FIELD_TYPES = {
    "timeout_seconds": float,
    "retries": int,
    "backoff_seconds": float,
    "auth_header": str,
}
# Query parameters that carry credentials in signed or keyed URLs (S3 X-Amz-Signature, Azure
# SAS `sig`, `api_key`, `access_token`, ...): their values are never shown.
_SECRET_PARAMETER = re.compile(r"token|key|secret|sig|passw|pwd|credential|auth", re.IGNORECASE)
# Texts shorter than this are not scrubbed out of messages: replacing every "ab" would mangle
# messages while hiding nothing worth hiding.
_MIN_SCRUBBED_LENGTH = 4
_DIGEST_ALGORITHMS = {"sha-256": "sha256", "sha-512": "sha512", "md5": "md5"}
_RETRYABLE_STATUS = {408, 429}
_NOT_FOUND_STATUS = {404, 410}


class LandingError(Exception):
    """A delivery could not be taken from the landing location."""


class DeliveryNotFound(LandingError, FileNotFoundError):
    """The landing location has no file for this source and partition."""


class DeliveryRefused(LandingError):
    """The server answered with a client error (401, 403, 400, ...): retrying will not help."""


class DeliveryUnavailable(LandingError, ConnectionError):
    """Timeouts, broken connections or server errors on every attempt."""


class CorruptDelivery(LandingError):
    """The bytes do not match the publisher's checksum, or the transfer was cut short."""

    def __init__(self, message: str, *, url: str, expected: str, actual: str) -> None:
        super().__init__(message)
        self.url = url
        self.expected = expected
        self.actual = actual


@dataclass(frozen=True)
class Fetched:
    """A delivery's bytes exactly as received, and how they were received."""

    content: bytes = field(repr=False)
    location: str  # the URL (without secrets) or file path it came from
    checksum_verified: str | None  # e.g. "sha256 sidecar"; None when the publisher gave none
    attempts: int

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


# ------------------------------------------------------------------------------------ URLs


def is_url(location: str) -> bool:
    return urllib.parse.urlsplit(location).scheme in ("http", "https")


def redact_url(url: str) -> str:
    """`url` without user info and with the values of secret-looking query parameters hidden."""
    parts = urllib.parse.urlsplit(url)
    netloc = parts.netloc.rpartition("@")[2]
    query = urllib.parse.urlencode(
        [
            (name, REDACTED if _SECRET_PARAMETER.search(name) else value)
            for name, value in urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
        ],
        safe=":/",
    )
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, query, ""))


def url_secrets(url: str) -> list[str]:
    """The secret parts of `url` (user info, secret query values), for `scrub()`."""
    parts = urllib.parse.urlsplit(url)
    found = [value for value in (parts.username, parts.password) if value]
    found += [
        value
        for name, value in urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
        if _SECRET_PARAMETER.search(name) and value
    ]
    # Also as they are written in the URL (percent-encoded), which is how error texts quote it.
    return found + [urllib.parse.quote(value, safe="") for value in found]


def scrub(text: str, secrets: list[str]) -> str:
    for secret in sorted(secrets, key=len, reverse=True):
        if len(secret) >= _MIN_SCRUBBED_LENGTH:
            text = text.replace(secret, "***")
    return text


def join_url(base: str, relative_path: str) -> str:
    """`relative_path` under `base`, keeping the base's query (signed base URLs carry one)."""
    parts = urllib.parse.urlsplit(base)
    path = parts.path.rstrip("/") + "/" + relative_path.lstrip("/")
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))


def sidecar_url(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(
        (parts.scheme, parts.netloc, parts.path + SIDECAR_SUFFIX, parts.query, "")
    )


def _origin(url: str) -> tuple[str, str]:
    parts = urllib.parse.urlsplit(url)
    return parts.scheme, parts.netloc.rpartition("@")[2].lower()


# ------------------------------------------------------------------------------- checksums


@dataclass(frozen=True)
class Expected:
    """A checksum the publisher gave: where it came from, the hashlib algorithm, the digest."""

    label: str
    algorithm: str
    digest: bytes


def parse_sidecar(text: str, file_name: str) -> bytes:
    """The sha256 in a sidecar: `sha256sum` lines (`hex  name`, `hex *name`) or a bare hex.

    A multi-line file (a SHA256SUMS list) is searched for `file_name`; one line is taken as is.
    """
    lines = [line.split() for line in text.splitlines() if line.strip()]
    if len(lines) > 1:
        lines = [line for line in lines if len(line) > 1 and line[1].lstrip("*") == file_name]
    if len(lines) != 1 or not re.fullmatch(r"[0-9a-fA-F]{64}", lines[0][0]):
        raise ValueError(f"no sha256 for {file_name} in the sidecar")
    return bytes.fromhex(lines[0][0])


def _digest_items(value: str) -> list[tuple[str, str]]:
    items = []
    for item in value.split(","):
        name, separator, encoded = item.strip().partition("=")
        if separator:
            items.append((name.strip().lower(), encoded.strip()))
    return items


def _b64(encoded: str) -> bytes | None:
    try:
        return base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        return None


def header_checksums(headers: Message) -> list[Expected]:
    """Checksums in `Repr-Digest`/`Content-Digest` (RFC 9530), `Digest` (RFC 3230) and
    `Content-MD5`. Algorithms we do not know, and undecodable values, are not checksums."""
    found: list[Expected] = []
    for header in ("Repr-Digest", "Content-Digest", "Digest"):
        for value in headers.get_all(header) or []:
            for name, encoded in _digest_items(value):
                algorithm = _DIGEST_ALGORITHMS.get(name)
                # RFC 9530 writes byte sequences between colons; RFC 3230 writes bare base64.
                digest = _b64(encoded.strip(":"))
                if algorithm and digest:
                    found.append(Expected(f"{header} {name}", algorithm, digest))
    md5 = headers.get("Content-MD5")
    if md5 and (digest := _b64(md5.strip())):
        found.append(Expected("Content-MD5", "md5", digest))
    return found


def mismatch(content: bytes, expected: list[Expected]) -> tuple[Expected, str] | None:
    """The first checksum `content` fails, with the actual hex digest; None when all match."""
    for item in expected:
        actual = hashlib.new(item.algorithm, content).hexdigest()
        if actual != item.digest.hex():
            return item, actual
    return None


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """`Retry-After` as seconds (it is either a number of seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:  # "-0000" parses naive: it means UTC
        when = when.replace(tzinfo=UTC)
    now = now or datetime.now(UTC)
    return max(0.0, (when - now).total_seconds())


# ---------------------------------------------------------------------------------- HTTP


@dataclass
class _Outcome:
    """One attempt: the fetched bytes, or why it failed and whether another attempt may help."""

    fetched: Fetched | None = None
    failure: str = ""
    retryable: bool = True
    not_found: bool = False
    wait_seconds: float | None = None  # the server's Retry-After
    corrupt: tuple[str, str] | None = None  # (expected, actual) when the bytes were wrong


class _Corrupt(Exception):
    def __init__(self, failure: str, expected: str, actual: str) -> None:
        super().__init__(failure)
        self.expected = expected
        self.actual = actual


class _SameOriginAuth(urllib.request.HTTPRedirectHandler):
    """Credentials follow a redirect only to the same scheme, host and port: a feed that
    redirects to a CDN or object store must not hand them our token."""

    def __init__(self, origin: tuple[str, str], auth_headers: dict[str, str]) -> None:
        super().__init__()
        self.origin = origin
        self.auth_headers = auth_headers

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: Message,
        newurl: str,
    ) -> urllib.request.Request | None:
        request = super().redirect_request(req, fp, code, msg, headers, newurl)
        if request is not None and _origin(request.full_url) == self.origin:
            for name, value in self.auth_headers.items():
                request.add_unredirected_header(name, value)
        return request


class _Client:
    """GETs over HTTP(S) with the timeout and credentials of one resource configuration."""

    def __init__(self, auth_headers: dict[str, str], timeout: float) -> None:
        self.auth_headers = auth_headers
        self.timeout = timeout

    def get(self, url: str) -> tuple[bytes, Message]:
        """One GET. Raises urllib/http.client/socket errors, or `_Corrupt` on a short body."""
        request = urllib.request.Request(
            url, headers={"User-Agent": "suanli-landing", "Accept-Encoding": "identity"}
        )
        for name, value in self.auth_headers.items():
            # Unredirected: urllib would otherwise copy them to wherever a redirect points.
            request.add_unredirected_header(name, value)
        opener = urllib.request.build_opener(_SameOriginAuth(_origin(url), self.auth_headers))
        with opener.open(request, timeout=self.timeout) as response:
            headers = response.headers
            try:
                content = response.read()
            except http.client.IncompleteRead as error:
                got = len(error.partial)
                raise _Corrupt(
                    f"truncated transfer: {got} of {got + (error.expected or 0)} bytes",
                    expected=f"{got + (error.expected or 0)} bytes",
                    actual=f"{got} bytes",
                ) from None
        declared = headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) != len(content):
            raise _Corrupt(
                f"truncated transfer: {len(content)} of {declared} bytes",
                expected=f"{declared} bytes",
                actual=f"{len(content)} bytes",
            )
        return content, headers

    def sidecar(self, url: str) -> Expected | None:
        """The `.sha256` next to `url`; None when the publisher has none (404/410)."""
        try:
            content, _ = self.get(sidecar_url(url))
        except urllib.error.HTTPError as error:
            error.close()
            if error.code in _NOT_FOUND_STATUS:
                return None
            raise
        file_name = urllib.parse.unquote(urllib.parse.urlsplit(url).path.rsplit("/", 1)[-1])
        try:
            digest = parse_sidecar(content.decode("utf-8", errors="replace"), file_name)
        except ValueError as error:
            raise _Corrupt(str(error), expected="a sha256 sidecar", actual="unreadable") from None
        return Expected("sha256 sidecar", "sha256", digest)

    def attempt(self, url: str, shown: str, attempt: int) -> _Outcome:
        """Fetch and verify once. Never raises: the caller raises outside any `except` block,
        so no low-level exception (whose text might quote a URL) is chained to ours."""
        stage = ""  # names the sidecar when it is the sidecar's request that failed
        try:
            content, headers = self.get(url)
            expected = header_checksums(headers)
            stage = "checksum sidecar: "
            sidecar = self.sidecar(url)
            stage = ""
            expected += [sidecar] if sidecar else []
            if wrong := mismatch(content, expected):
                item, actual = wrong
                return _Outcome(
                    failure=f"{item.label} expected {item.algorithm} {item.digest.hex()}, "
                    f"got {actual}",
                    corrupt=(item.digest.hex(), actual),
                )
            verified = " + ".join(item.label for item in expected) or None
            return _Outcome(fetched=Fetched(content, shown, verified, attempt))
        except urllib.error.HTTPError as error:
            error.close()
            reason = f"{stage}HTTP {error.code} {error.reason}"
            if error.code in _NOT_FOUND_STATUS:
                return _Outcome(failure=reason, retryable=False, not_found=True)
            if error.code < 500 and error.code not in _RETRYABLE_STATUS:
                return _Outcome(failure=reason, retryable=False)
            wait = retry_after_seconds(error.headers.get("Retry-After"))
            return _Outcome(failure=reason, wait_seconds=wait)
        except _Corrupt as error:
            return _Outcome(failure=f"{stage}{error}", corrupt=(error.expected, error.actual))
        except urllib.error.URLError as error:
            if isinstance(error.reason, TimeoutError):
                return _Outcome(failure=f"{stage}timed out after {self.timeout:g} s")
            return _Outcome(failure=f"{stage}connection failed: {error.reason}")
        except TimeoutError:
            return _Outcome(failure=f"{stage}timed out after {self.timeout:g} s")
        except (http.client.HTTPException, OSError) as error:
            return _Outcome(failure=f"{stage}{type(error).__name__}: {error}")


# ------------------------------------------------------------------------------ listing
# What counts as a delivery in a landing location, and which source's file pattern a path
# matches: the raw assets (`LandingResource.list_files`) and the landing sensor use these alone.

# Not deliveries: checksum sidecars, listings, and the names uploads carry while they are being
# written (renamed when complete). Hidden files are not deliveries either.
IGNORED_SUFFIXES = (
    SIDECAR_SUFFIX, ".part", ".partial", ".tmp", ".crdownload", ".swp", "~", "MANIFEST",
)  # fmt: skip


def is_delivery(relative_path: str) -> bool:
    """Whether a file at `relative_path` (under a landing location) may be a delivery."""
    parts = relative_path.split("/")
    return not any(part.startswith(".") for part in parts) and not parts[-1].endswith(
        IGNORED_SUFFIXES
    )


@lru_cache(maxsize=256)
def pattern_regex(file_pattern: str) -> re.Pattern[str]:
    """`compute_centres/compute_centres_{year}.csv` → a regex with a four-digit `year` group;
    `*` and `?` match within one path segment (`provincial_statistics/*`: any file in it)."""

    def literal(part: str) -> str:
        return re.escape(part).replace(r"\*", "[^/]*").replace(r"\?", "[^/]")

    first, *rest = file_pattern.split("{year}")
    # a year named twice (`centre_energy/{year}/centre_energy_{year}-*`) is the same year
    groups = [r"(?P<year>\d{4})"] + [r"(?P=year)"] * max(len(rest) - 1, 0)
    pattern = literal(first)
    for group, part in zip(groups, rest, strict=False):  # no {year}: no group
        pattern += group + literal(part)
    return re.compile(pattern)


def delivery_files(directory: Path) -> list[str]:
    """Every file under a landing directory that may be a delivery, as a path relative to it."""
    return [
        path.relative_to(directory).as_posix()
        for path in sorted(item for item in directory.rglob("*") if item.is_file())
        if is_delivery(path.relative_to(directory).as_posix())
    ]


# ------------------------------------------------------------------------------ resource


class LandingResource(ConfigurableResource):
    """Where deliveries land. `location` is the default for every source: a directory (relative
    to the repo root) or an http(s):// base URL; `locations` overrides it per source name.

    Credentials go to every URL location: `auth_token` as `Authorization: Bearer <token>`, or as
    the bare value of `auth_header` when that is set; `username`/`password` as basic auth. User
    info in a location URL (`https://user:pass@host/`) is used as basic auth when no `username`
    is configured. Bind secrets with `EnvVar` (see `from_env`), never as literal config.
    """

    location: str
    locations: dict[str, str] = Field(default_factory=dict)
    timeout_seconds: float = Field(
        default=30.0, description="Per connect and per read (not for the whole download)."
    )
    retries: int = Field(default=3, description="Attempts after the first one.")
    backoff_seconds: float = 1.0
    max_retry_after_seconds: float = Field(
        default=60.0, description="Longest wait a server's Retry-After may impose."
    )
    auth_token: str | None = Field(default=None, repr=False)
    auth_header: str | None = Field(
        default=None, description="Header for auth_token; unset = Authorization: Bearer."
    )
    username: str | None = Field(default=None, repr=False)
    password: str | None = Field(default=None, repr=False)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> LandingResource:
        """`SUANLI_LANDING` (default: the bundled snapshot), `SUANLI_LANDING_LOCATIONS` (JSON
        object source → directory or URL), `SUANLI_LANDING_TIMEOUT/RETRIES/BACKOFF/AUTH_HEADER`
        read now; `SUANLI_LANDING_TOKEN/USER/PASSWORD` bound as `EnvVar`s, resolved at run time
        (`suanli.settings` binds them all).
        """
        location = settings.landing_location(environ)
        config: dict[str, Any] = {"location": location or str(SNAPSHOT_DIR)}
        if location and url_secrets(location):
            # A location with credentials in it is bound too, so the UI shows the name only.
            config["location"] = settings.LANDING.env_var()
        config["locations"] = parse_locations(settings.LANDING_LOCATIONS.raw(environ))
        for name, setting in settings.LANDING_FIELDS.items():
            if setting.secret:
                if setting.raw(environ):
                    config[name] = setting.env_var()
            elif value := setting.raw(environ).strip():
                config[name] = FIELD_TYPES[name](value)
        return cls(**config)

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        """Locations as `describe` shows them: a URL with credentials in it is not echoed."""
        for name, value in super().__repr_args__():
            if name == "location":
                value = _shown_location(value)
            elif name == "locations":
                value = {source: _shown_location(item) for source, item in value.items()}
            yield name, value

    # -------------------------------------------------------------------- where things are

    def location_for(self, source: str | None) -> str:
        return self.locations.get(source, self.location) if source else self.location

    @property
    def is_url(self) -> bool:
        return is_url(self.location)

    def is_url_for(self, source: str | None) -> bool:
        return is_url(self.location_for(source))

    def directory_for(self, source: str | None) -> Path | None:
        """The landing directory of `source`; None when it lands at a URL."""
        location = self.location_for(source)
        return None if is_url(location) else resolve_from_repo(location)

    def describe(self, relative_path: str, source: str | None = None) -> str:
        """Where `relative_path` is, fit to show: a path, or a URL without its secrets."""
        location = self.location_for(source)
        if is_url(location):
            return redact_url(join_url(location, relative_path))
        return str(resolve_from_repo(location) / relative_path)

    def list_files(self, source: str, pattern: str) -> list[str]:
        """Paths (relative to the location) of the files matching `pattern`, e.g.
        `provincial_statistics/*`. A directory is listed; at a URL the folder's `MANIFEST`
        (one file name per line) says what is there. A folder that is not there (no directory,
        a MANIFEST answered 404 or 410) holds nothing: no statistics table, no questionnaire
        has been delivered yet."""
        folder, _, name_pattern = pattern.rpartition("/")
        location = self.location_for(source)
        if is_url(location):
            try:
                listing = self.retrieve(f"{folder}/MANIFEST", source).content
            except DeliveryNotFound:
                listing = b""  # no folder there, as a missing directory: nothing delivered
            manifest = listing.decode("utf-8-sig")
            names = [line.strip() for line in manifest.splitlines() if line.strip()]
        else:
            directory = resolve_from_repo(location) / folder
            names = [path.name for path in directory.iterdir()] if directory.is_dir() else []
        return sorted(
            f"{folder}/{name}"
            for name in names
            if pattern_regex(name_pattern).fullmatch(name) and is_delivery(name)
        )

    # --------------------------------------------------------------------------- fetching

    def fetch(self, relative_path: str) -> bytes:
        """The delivery's bytes exactly as received, from the default location."""
        return self.retrieve(relative_path).content

    def fetch_for(self, source: str, relative_path: str) -> bytes:
        """The delivery's bytes exactly as received, from `source`'s location."""
        return self.retrieve(relative_path, source).content

    def retrieve(self, relative_path: str, source: str | None = None) -> Fetched:
        """The delivery with how it was received (checksum verified, attempts)."""
        location = self.location_for(source)
        if is_url(location):
            return self._fetch_url(join_url(location, relative_path))
        return _fetch_file(resolve_from_repo(location) / relative_path)

    def _fetch_url(self, url: str) -> Fetched:
        shown = redact_url(url)
        secrets = self._secrets(url)
        client = _Client(self._auth_headers(url), self.timeout_seconds)
        request_url = without_userinfo(url)
        attempts = max(1, self.retries + 1)
        outcome = _Outcome()
        for attempt in range(1, attempts + 1):
            outcome = client.attempt(request_url, shown, attempt)
            if outcome.fetched or not outcome.retryable:
                break
            if attempt < attempts:
                wait = self.backoff_seconds * 2 ** (attempt - 1)
                if outcome.wait_seconds is not None:
                    wait = min(outcome.wait_seconds, self.max_retry_after_seconds)
                get_dagster_logger().warning(
                    scrub(
                        f"{shown}: attempt {attempt} of {attempts} failed ({outcome.failure}); "
                        f"retrying in {wait:g} s",
                        secrets,
                    )
                )
                time.sleep(wait)
        if outcome.fetched:
            return outcome.fetched
        failure = scrub(outcome.failure, secrets)
        if outcome.not_found:
            raise DeliveryNotFound(f"no delivery at {shown} ({failure})")
        if not outcome.retryable:
            raise DeliveryRefused(f"{shown} refused the request: {failure} (not retried)")
        tried = f"after {attempt} attempt{'s' if attempt > 1 else ''}"
        if outcome.corrupt:
            expected, actual = outcome.corrupt
            raise CorruptDelivery(
                f"corrupt delivery from {shown} {tried}: {failure}",
                url=shown,
                expected=expected,
                actual=actual,
            )
        raise DeliveryUnavailable(f"could not fetch {shown} {tried}: {failure}")

    # ---------------------------------------------------------------------------- secrets

    def _secret(self, name: str) -> str | None:
        value = getattr(self, name)
        # Used outside a run (not yet resolved by Dagster), a field still holds its EnvVar.
        return value.get_value() if isinstance(value, EnvVar) else value

    def _secrets(self, url: str) -> list[str]:
        values = [self._secret("auth_token"), self._secret("password")]
        return [value for value in values if value] + url_secrets(url)

    def _auth_headers(self, url: str) -> dict[str, str]:
        headers: dict[str, str] = {}
        token = self._secret("auth_token")
        if token:
            if self.auth_header:
                headers[self.auth_header] = token
            else:
                headers["Authorization"] = f"Bearer {token}"
        parts = urllib.parse.urlsplit(url)
        username = self._secret("username")
        password = self._secret("password")
        if not username and parts.username:
            username = urllib.parse.unquote(parts.username)
            password = urllib.parse.unquote(parts.password or "")
        if username:
            if "Authorization" in headers:
                raise ValueError(
                    "a bearer token and basic auth both need the Authorization header: "
                    "set auth_header (SUANLI_LANDING_AUTH_HEADER) for the token"
                )
            pair = f"{username}:{password or ''}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")
        return headers


def without_userinfo(url: str) -> str:
    """`url` without `user:password@` (urllib would take it for part of the host)."""
    parts = urllib.parse.urlsplit(url)
    netloc = parts.netloc.rpartition("@")[2]
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))


def _shown_location(location: Any) -> Any:
    if isinstance(location, str) and not isinstance(location, EnvVar) and is_url(location):
        return redact_url(location)
    return location


def parse_locations(text: str) -> dict[str, str]:
    """`SUANLI_LANDING_LOCATIONS`: a JSON object of source name → directory or URL."""
    if not text.strip():
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        value = None
    # The value itself is not quoted back: it may hold a signed URL.
    if not isinstance(value, dict) or not all(
        isinstance(key, str) and isinstance(item, str) for key, item in value.items()
    ):
        raise ValueError(
            f"{settings.LANDING_LOCATIONS.name} must be a JSON object of source name → "
            "directory or URL"
        )
    return value


def configured_locations(environ: Mapping[str, str] | None = None) -> tuple[str, dict[str, str]]:
    """Where deliveries land per `environ` (default: the process environment), as
    `LandingResource.from_env` reads it: the default location and the per-source ones."""
    location = settings.landing_location(environ) or str(SNAPSHOT_DIR)
    return location, parse_locations(settings.LANDING_LOCATIONS.raw(environ))


def _fetch_file(path: Path) -> Fetched:
    """A file in a landing directory, checked against a `.sha256` sidecar next to it if any."""
    if not path.is_file():
        raise DeliveryNotFound(f"no delivery at {path}")
    content = path.read_bytes()
    sidecar = path.with_name(path.name + SIDECAR_SUFFIX)
    if not sidecar.is_file():
        return Fetched(content, str(path), None, 1)
    expected = Expected(
        "sha256 sidecar", "sha256", parse_sidecar(sidecar.read_text("utf-8"), path.name)
    )
    if wrong := mismatch(content, [expected]):
        raise CorruptDelivery(
            f"corrupt delivery at {path}: sha256 sidecar expected {expected.digest.hex()}, "
            f"got {wrong[1]}",
            url=str(path),
            expected=expected.digest.hex(),
            actual=wrong[1],
        )
    return Fetched(content, str(path), expected.label, 1)
