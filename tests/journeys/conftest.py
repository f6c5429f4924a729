"""Fixtures for the journey tests: one real `handbook serve` and one Chromium for the module.

* ``journey_server``: ``handbook serve`` on a free loopback port with its own database, signing
  keys and content copy, as :data:`journey_server.SUPERVISOR` (see ``journey_server.py``).
* ``chromium``: Debian's Chromium through Playwright (never a downloaded browser).
* ``handbook``: the ``handbook`` command with the server's environment, as the supervisor
  would run it in a shell on the same machine.

A missing Chromium skips these tests on a developer's machine and fails them in CI (``required``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from journey_server import Handbook, JourneyServer, command, journey_serve

from browser import launched_chromium, require_chromium


@pytest.fixture(scope="module")
def journey_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[JourneyServer]:
    require_chromium()
    with journey_serve(tmp_path_factory.mktemp("journey")) as served:
        yield served


@pytest.fixture(scope="module")
def chromium(journey_server: JourneyServer) -> Iterator[Any]:
    with launched_chromium() as browser:
        yield browser


@pytest.fixture(scope="module")
def handbook(journey_server: JourneyServer) -> Handbook:
    return command(journey_server)
