"""`LandingResource` against a real publisher on 127.0.0.1 (`landing_feeds`) and real files:
retries and their timing, checksums, truncation, authentication, and secrets kept out of every
message, log and the Dagster instance."""

from __future__ import annotations

import hashlib
import shutil
import time
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from dagster import (
    DagsterInstance,
    EnvVar,
    MaterializeResult,
    asset,
    materialize,
    serialize_value,
)
from landing_feeds import (
    BASIC,
    BODY,
    PASSWORD,
    SHA256,
    SHA256_B64,
    SLOW_SECONDS,
    TOKEN,
    USER,
    WRONG_SHA256,
    Feed,
)

from suanli.intake.landing import (
    CorruptDelivery,
    DeliveryNotFound,
    DeliveryRefused,
    DeliveryUnavailable,
    LandingError,
    LandingResource,
    header_checksums,
    parse_locations,
    parse_sidecar,
    redact_url,
    retry_after_seconds,
)
from suanli.settings import REPO_ROOT, SNAPSHOT_DIR

FAST: dict[str, Any] = {"timeout_seconds": 0.3, "backoff_seconds": 0.01}


def at(location: str, **settings: Any) -> LandingResource:
    """The resource at `location`, with short timeouts and backoff unless told otherwise."""
    return LandingResource(location=location, **{**FAST, **settings})


def landing(feed: Feed, **settings: Any) -> LandingResource:
    return at(feed.url("/"), **settings)


# ----------------------------------------------------------------------------- good files


def test_a_folder_at_a_url_lists_its_manifest_and_a_folder_not_there_holds_nothing(
    feed: Feed,
) -> None:
    assert landing(feed).list_files("x", "listed/*.csv") == ["listed/data.csv"]
    assert landing(feed).list_files("x", "expert_judgements/*.xlsx") == []
    with pytest.raises(LandingError):  # a server error is no empty folder
        landing(feed, retries=0).list_files("x", "broken-listing/*.csv")


def test_a_good_file_arrives_as_sent(feed: Feed) -> None:
    fetched = landing(feed).retrieve("good/data.csv")
    assert fetched.content == BODY
    assert fetched.location == feed.url("/good/data.csv")
    assert fetched.checksum_verified is None  # the publisher gave none (its sidecar is a 404)
    assert fetched.attempts == 1
    assert fetched.sha256 == SHA256
    assert feed.hits == {"/good/data.csv": 1, "/good/data.csv.sha256": 1}
    assert landing(feed).fetch("good/data.csv") == BODY


@pytest.mark.parametrize("path", ["signed", "bare", "sums"])
def test_a_sha256_sidecar_is_checked(feed: Feed, path: str) -> None:
    fetched = landing(feed).retrieve(f"{path}/data.csv")
    assert (fetched.content, fetched.checksum_verified) == (BODY, "sha256 sidecar")


@pytest.mark.parametrize(
    ("path", "label"),
    [
        ("repr-digest", "Repr-Digest sha-256"),
        ("digest", "Digest sha-256"),
        ("md5", "Content-MD5"),
    ],
)
def test_digest_headers_are_checked(feed: Feed, path: str, label: str) -> None:
    assert landing(feed).retrieve(f"{path}/data.csv").checksum_verified == label


# --------------------------------------------------------------------------------- timing


def test_a_slow_first_answer_is_retried(feed: Feed) -> None:
    fetched = landing(feed, retries=2).retrieve("slow-once/data.csv")
    assert (fetched.content, fetched.attempts) == (BODY, 2)
    assert feed.hits["/slow-once/data.csv"] == 2


def test_an_always_slow_server_times_out_after_every_attempt_with_backoff(feed: Feed) -> None:
    resource = LandingResource(
        location=feed.url("/"), timeout_seconds=0.3, retries=2, backoff_seconds=0.25
    )
    started = time.monotonic()
    with pytest.raises(DeliveryUnavailable) as raised:
        resource.fetch("slow/data.csv")
    elapsed = time.monotonic() - started
    # Three attempts of 0.3 s each, with 0.25 s and 0.5 s of backoff between them.
    assert 0.9 + 0.75 - 0.1 <= elapsed < 0.9 + 0.75 + SLOW_SECONDS
    assert feed.hits["/slow/data.csv"] == 3
    message = str(raised.value)
    assert "after 3 attempts" in message and "timed out after 0.3 s" in message
    assert feed.url("/slow/data.csv") in message


def test_server_errors_are_retried_until_they_pass(feed: Feed) -> None:
    fetched = landing(feed, retries=3).retrieve("flaky/data.csv")
    assert (fetched.content, fetched.attempts) == (BODY, 3)
    assert feed.hits["/flaky/data.csv"] == 3


def test_a_server_that_keeps_failing_is_given_up_on(feed: Feed) -> None:
    with pytest.raises(DeliveryUnavailable, match=r"after 4 attempts: HTTP 500"):
        landing(feed, retries=3).fetch("broken/data.csv")
    assert feed.hits["/broken/data.csv"] == 4


def test_missing_is_missing_at_once(feed: Feed) -> None:
    started = time.monotonic()
    with pytest.raises(DeliveryNotFound, match="HTTP 404"):
        landing(feed, retries=3, backoff_seconds=1.0).fetch("nowhere/data.csv")
    assert time.monotonic() - started < 0.5
    assert feed.hits == {"/nowhere/data.csv": 1}


def test_other_client_errors_are_not_retried(feed: Feed) -> None:
    with pytest.raises(DeliveryRefused, match=r"HTTP 403 .*not retried"):
        landing(feed, retries=3).fetch("forbidden/data.csv")
    assert feed.hits == {"/forbidden/data.csv": 1}


def test_too_many_requests_waits_as_long_as_the_server_asks(feed: Feed) -> None:
    started = time.monotonic()
    fetched = landing(feed, retries=1).retrieve("busy/data.csv")  # Retry-After: 1
    assert time.monotonic() - started >= 1.0
    assert fetched.attempts == 2


def test_a_long_retry_after_is_capped(feed: Feed) -> None:
    started = time.monotonic()
    fetched = landing(feed, retries=1, max_retry_after_seconds=0.2).retrieve(
        "very-busy/data.csv"  # Retry-After: 3600
    )
    assert 0.2 <= time.monotonic() - started < 1.0
    assert fetched.attempts == 2


# ----------------------------------------------------------------------------- corruption


def test_a_sidecar_mismatch_is_corruption_after_retries(feed: Feed) -> None:
    with pytest.raises(CorruptDelivery) as raised:
        landing(feed, retries=2).fetch("corrupt/data.csv")
    error = raised.value
    assert (error.expected, error.actual) == (WRONG_SHA256, SHA256)
    assert error.url == feed.url("/corrupt/data.csv")
    message = str(error)
    assert all(part in message for part in (error.url, WRONG_SHA256, SHA256, "3 attempts"))
    assert feed.hits["/corrupt/data.csv"] == 3


@pytest.mark.parametrize("path", ["bad-digest", "bad-md5"])
def test_a_digest_header_mismatch_is_corruption(feed: Feed, path: str) -> None:
    with pytest.raises(CorruptDelivery) as raised:
        landing(feed, retries=0).fetch(f"{path}/data.csv")
    algorithm = "sha256" if path == "bad-digest" else "md5"
    assert raised.value.actual == hashlib.new(algorithm, BODY).hexdigest()


def test_a_body_shorter_than_its_content_length_is_corruption(feed: Feed) -> None:
    with pytest.raises(CorruptDelivery, match="truncated transfer") as raised:
        landing(feed, retries=1).fetch("truncated/data.csv")
    assert raised.value.expected == f"{len(BODY) + 100} bytes"
    assert feed.hits["/truncated/data.csv"] == 2


def test_a_failing_sidecar_is_named(feed: Feed) -> None:
    with pytest.raises(DeliveryUnavailable, match="checksum sidecar: HTTP 500"):
        landing(feed, retries=1).fetch("sidecar-broken/data.csv")


# --------------------------------------------------------------------------------- secrets


def test_a_bearer_token_opens_a_private_feed(feed: Feed) -> None:
    with pytest.raises(DeliveryRefused, match="HTTP 401"):
        landing(feed, retries=2).fetch("private/data.csv")
    assert feed.hits["/private/data.csv"] == 1
    with pytest.raises(DeliveryRefused, match="HTTP 401"):
        landing(feed, auth_token="wrong-token").fetch("private/data.csv")
    assert landing(feed, auth_token=TOKEN).fetch("private/data.csv") == BODY


def test_a_token_may_go_in_a_header_of_its_own(feed: Feed) -> None:
    landing(feed, auth_token=TOKEN, auth_header="X-Feed-Token").fetch("good/data.csv")
    [headers] = feed.seen["/good/data.csv"]
    assert headers["X-Feed-Token"] == TOKEN
    assert "Authorization" not in headers


def test_basic_auth_from_settings_or_from_the_url(feed: Feed) -> None:
    with_settings = landing(feed, username=USER, password=PASSWORD)
    assert with_settings.fetch("basic/data.csv") == BODY
    in_url = LandingResource(location=feed.url("/").replace("//", f"//{USER}:{PASSWORD}@"))
    assert in_url.fetch("basic/data.csv") == BODY
    assert PASSWORD not in in_url.describe("basic/data.csv")


def test_credentials_follow_redirects_only_within_the_origin(feed: Feed, elsewhere: Feed) -> None:
    assert landing(feed, auth_token=TOKEN).fetch("hop/data.csv") == BODY  # to /private
    assert landing(feed, auth_token=TOKEN).fetch("away/data.csv") == BODY
    [headers] = elsewhere.seen["/good/data.csv"]
    assert "Authorization" not in headers


def test_urls_are_shown_without_secrets() -> None:
    url = "https://bot:hunter22@feed.example/data.csv?sig=abc123&X-Amz-Credential=AKIA9&year=2024"
    shown = redact_url(url)
    assert shown == (
        "https://feed.example/data.csv?sig=REDACTED&X-Amz-Credential=REDACTED&year=2024"
    )


def test_a_signed_base_url_keeps_its_query_for_each_file(feed: Feed) -> None:
    resource = at(feed.url("/signed/?sig=signature-XYZ-77"))
    fetched = resource.retrieve("data.csv")
    assert fetched.checksum_verified == "sha256 sidecar"
    assert fetched.location == feed.url("/signed/data.csv?sig=REDACTED")


def test_secrets_appear_in_no_description_repr_or_error(feed: Feed) -> None:
    url_password, signature = "url-SECRET-pass-99", "sig-SECRET-value-42"
    base = feed.url("/").replace("//", f"//{USER}:{url_password}@")
    secrets = (TOKEN, PASSWORD, url_password, signature, BASIC.split()[1])
    resource = landing(
        feed,
        locations={"patents": f"{base}broken/?signature={signature}"},
        auth_token=TOKEN,
        auth_header="X-Feed-Token",
        username=USER,
        password=PASSWORD,
    )
    texts = [repr(resource), resource.describe("data.csv", "patents")]
    for source, path in [
        (None, "broken/data.csv"),  # 500 on every attempt
        (None, "forbidden/data.csv"),  # refused
        (None, "slow/data.csv"),  # timed out
        (None, "corrupt/data.csv"),  # wrong checksum
        (None, "nowhere/data.csv"),  # 404
        ("patents", "data.csv"),  # credentials in the URL itself
    ]:
        with pytest.raises(Exception) as raised:
            resource.retrieve(path, source)
        texts.append(str(raised.value))
        texts.append(repr(raised.value))
    leaked = [secret for secret in secrets for text in texts if secret in text]
    assert not leaked, texts


def test_secrets_stay_out_of_the_dagster_instance(
    feed: Feed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run that fails on an authenticated feed and one that succeeds leave no secret in the
    event log, the run's config or any file of the instance."""
    monkeypatch.setenv("SUANLI_LANDING_TOKEN", TOKEN)
    monkeypatch.setenv("SUANLI_LANDING_USER", USER)
    monkeypatch.setenv("SUANLI_LANDING_PASSWORD", PASSWORD)
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(REPO_ROOT / "dagster_home" / "dagster.yaml", home / "dagster.yaml")
    signature = "sig-SECRET-in-config-31"
    resource = LandingResource(
        location=feed.url("/"),
        locations={"signed": feed.url(f"/signed/?signature={signature}")},
        retries=1,
        backoff_seconds=0.01,
        auth_token=EnvVar("SUANLI_LANDING_TOKEN"),
        auth_header="X-Feed-Token",
        username=EnvVar("SUANLI_LANDING_USER"),
        password=EnvVar("SUANLI_LANDING_PASSWORD"),
    )

    @asset
    def private_feed(landing: LandingResource) -> MaterializeResult:
        fetched = landing.retrieve("basic/data.csv")
        return MaterializeResult(
            metadata={
                "location": fetched.location,
                "describe": landing.describe("basic/data.csv"),
                "checksum": str(fetched.checksum_verified),
                "resource": repr(landing),
            }
        )

    @asset
    def signed_feed(landing: LandingResource) -> None:
        landing.fetch_for("signed", "data.csv")

    @asset
    def failing_feed(landing: LandingResource) -> None:
        landing.fetch("private-broken/data.csv")

    instance = DagsterInstance.from_config(str(home))
    try:
        result = materialize(
            [private_feed, signed_feed, failing_feed],
            resources={"landing": resource},
            instance=instance,
            raise_on_error=False,
        )
        assert not result.success
        assert feed.seen["/basic/data.csv"][0]["Authorization"] == BASIC  # resolved and sent
        records = instance.all_logs(result.run_id)
        texts = [serialize_value(record) for record in records]
        texts.append(serialize_value(instance.get_run_by_id(result.run_id)))
    finally:
        instance.dispose()
    texts += [path.read_bytes().decode("latin-1") for path in home.rglob("*") if path.is_file()]
    everything = "\n".join(texts)
    # The scan sees what the run wrote: the failure, its retry warning, the success's metadata.
    assert "private-broken/data.csv" in everything and "HTTP 500" in everything
    assert "retrying in" in everything and "/basic/data.csv" in everything
    for secret in (TOKEN, PASSWORD, BASIC.split()[1], signature):
        assert secret not in everything


# ---------------------------------------------------------------------- locations and env


def test_one_source_from_a_feed_the_rest_from_a_directory(feed: Feed, tmp_path: Path) -> None:
    (tmp_path / "patents").mkdir()
    (tmp_path / "patents" / "patents.csv").write_bytes(b"local\n")
    resource = at(str(tmp_path), locations={"genai_services": feed.url("/good/")})
    assert resource.fetch_for("genai_services", "data.csv") == BODY
    assert resource.fetch_for("patents", "patents/patents.csv") == b"local\n"
    assert resource.fetch("patents/patents.csv") == b"local\n"
    assert resource.is_url_for("genai_services") and not resource.is_url
    assert resource.directory_for("genai_services") is None
    assert resource.describe("data.csv", "genai_services") == feed.url("/good/data.csv")
    with pytest.raises(DeliveryNotFound):
        resource.fetch_for("patents", "patents/other.csv")


def test_a_directory_sidecar_is_checked_too(tmp_path: Path) -> None:
    (tmp_path / "data.csv").write_bytes(BODY)
    resource = LandingResource(location=str(tmp_path))
    assert resource.retrieve("data.csv").checksum_verified is None
    (tmp_path / "data.csv.sha256").write_text(f"{SHA256}  data.csv\n")
    assert resource.retrieve("data.csv").checksum_verified == "sha256 sidecar"
    (tmp_path / "data.csv").write_bytes(BODY + b"extra\n")
    with pytest.raises(CorruptDelivery, match=SHA256):
        resource.fetch("data.csv")


def test_from_env_reads_settings_and_binds_secrets() -> None:
    resource = LandingResource.from_env(
        {
            "SUANLI_LANDING_LOCATIONS": '{"patents": "https://feed.example/suanli/"}',
            "SUANLI_LANDING_TIMEOUT": "12.5",
            "SUANLI_LANDING_RETRIES": "5",
            "SUANLI_LANDING_TOKEN": TOKEN,
            "SUANLI_LANDING_PASSWORD": PASSWORD,
        }
    )
    assert resource.location == str(SNAPSHOT_DIR)
    assert resource.locations == {"patents": "https://feed.example/suanli/"}
    assert (resource.timeout_seconds, resource.retries) == (12.5, 5)
    # Bound to their variables: the config (and the UI) holds the names, not the values.
    assert isinstance(resource.auth_token, EnvVar) and isinstance(resource.password, EnvVar)
    assert resource.auth_token.env_var_name == "SUANLI_LANDING_TOKEN"
    assert resource.username is None
    assert TOKEN not in repr(resource) and PASSWORD not in repr(resource)


def test_from_env_binds_a_location_with_credentials_in_it() -> None:
    url = f"https://{USER}:{PASSWORD}@feed.example/suanli/"
    resource = LandingResource.from_env({"SUANLI_LANDING": url})
    assert isinstance(resource.location, EnvVar)
    assert LandingResource.from_env({"SUANLI_LANDING": "data/in"}).location == "data/in"


def test_malformed_locations_are_refused_without_quoting_them() -> None:
    with pytest.raises(ValueError, match="JSON object") as raised:
        parse_locations(f'["https://{USER}:{PASSWORD}@feed.example/"]')
    assert PASSWORD not in str(raised.value)
    assert parse_locations("") == {}


# ---------------------------------------------------------------------------- pure parts


def test_sidecar_formats() -> None:
    digest = bytes.fromhex(SHA256)
    assert parse_sidecar(SHA256.upper(), "data.csv") == digest
    assert parse_sidecar(f"{SHA256} *data.csv\n", "data.csv") == digest
    with pytest.raises(ValueError):
        parse_sidecar("not a hash\n", "data.csv")
    with pytest.raises(ValueError):
        parse_sidecar(f"{SHA256}  a.csv\n{WRONG_SHA256}  b.csv\n", "data.csv")


def test_header_checksum_formats() -> None:
    headers = Message()
    headers["Repr-Digest"] = f"sha-512=:{SHA256_B64}:, sha-256=:{SHA256_B64}:"
    headers["Digest"] = "UNIXsum=30637, SHA-256=not*base64"
    labels = [(item.label, item.algorithm) for item in header_checksums(headers)]
    assert labels == [("Repr-Digest sha-512", "sha512"), ("Repr-Digest sha-256", "sha256")]


def test_retry_after_in_seconds_or_as_a_date() -> None:
    from datetime import UTC, datetime

    now = datetime(2025, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert retry_after_seconds("7", now) == 7.0
    assert retry_after_seconds("Wed, 01 Jan 2025 12:00:30 GMT", now) == 30.0
    assert retry_after_seconds("soon", now) is None
    assert retry_after_seconds(None, now) is None
