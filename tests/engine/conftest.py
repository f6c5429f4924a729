"""Fixtures for the engine tests: small content built in Python (see engine_content)."""

from __future__ import annotations

import pytest
from engine_content import (
    make_catalogue,
    make_directory,
    make_guide,
    make_instrument,
    make_protocol,
    make_scenario,
    make_template,
)

from protocols.models import (
    ConfidentialityGuide,
    FollowUpTemplate,
    NeedsCatalogue,
    Protocol,
    ResourceDirectory,
    Scenario,
    ScreeningInstrument,
)


@pytest.fixture
def protocol() -> Protocol:
    return make_protocol()


@pytest.fixture
def instrument() -> ScreeningInstrument:
    return make_instrument()


@pytest.fixture
def guide() -> ConfidentialityGuide:
    return make_guide()


@pytest.fixture
def catalogue() -> NeedsCatalogue:
    return make_catalogue()


@pytest.fixture
def directory() -> ResourceDirectory:
    return make_directory()


@pytest.fixture
def template() -> FollowUpTemplate:
    return make_template()


@pytest.fixture
def scenario() -> Scenario:
    return make_scenario()
