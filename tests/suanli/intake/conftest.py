"""Two real publishers on 127.0.0.1 (`feed`, and `elsewhere` for cross-origin redirects)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from landing_feeds import Feed, serving


@pytest.fixture(scope="module")
def elsewhere() -> Iterator[Feed]:
    with serving() as feed:
        yield feed


@pytest.fixture(scope="module")
def feed_server(elsewhere: Feed) -> Iterator[Feed]:
    with serving(other=elsewhere) as feed, pytest.MonkeyPatch.context() as patch:
        patch.setenv("NO_PROXY", "127.0.0.1,localhost")  # a CI proxy must not take these
        patch.setenv("no_proxy", "127.0.0.1,localhost")
        yield feed


@pytest.fixture
def feed(feed_server: Feed, elsewhere: Feed) -> Feed:
    """The publisher, with its request counts starting from zero."""
    feed_server.reset()
    elsewhere.reset()
    return feed_server
