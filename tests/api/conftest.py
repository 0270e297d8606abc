"""Fixtures for the HTTP tests: an in-process client with the lifespan run (graph loaded once)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from api.app import create_app
from kg.core.settings import Settings


@pytest.fixture(scope="session")
def app_settings(settings: Settings) -> Settings:
    return settings


@pytest.fixture(scope="session")
def client(app_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(app_settings)) as test_client:
        yield test_client
