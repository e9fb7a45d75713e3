"""Real receivers on 127.0.0.1, one of each per test module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from receivers import Inbox, Webhook, serving_smtp, serving_webhook


@pytest.fixture(scope="module")
def webhook() -> Iterator[Webhook]:
    with serving_webhook() as receiver, pytest.MonkeyPatch.context() as patch:
        patch.setenv("NO_PROXY", "127.0.0.1,localhost")  # a CI proxy must not take these
        yield receiver


@pytest.fixture(scope="module")
def inbox() -> Iterator[Inbox]:
    with serving_smtp() as receiver:
        yield receiver


@pytest.fixture
def fresh_receivers(webhook: Webhook, inbox: Inbox) -> None:
    """Forget what earlier tests delivered."""
    webhook.received.clear()
    webhook.headers.clear()
    inbox.envelopes.clear()
