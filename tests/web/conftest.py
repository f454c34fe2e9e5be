"""The web app on the test database, a client, and signing in through the login form."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import Snapshots
from tests.year_support import Bloc, make_bloc
from web import create_app
from workflow.bootstrap import Services
from workflow.clock import FakeClock
from workflow.config import DatabaseSettings
from workflow.services import people

PASSWORD = "mat-khau-thu"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def bloc(services: Services, clock: FakeClock, snapshots: Snapshots) -> Bloc:
    def build() -> Bloc:
        services.criteria.sync([services.settings.definitions_dir / "criteria"],
                               base=services.settings.definitions_dir.parent)
        return make_bloc(services, clock)

    return snapshots.world("web:bloc", services, clock, build)


_APPS: dict[str, tuple[Flask, dict[str, Any]]] = {}


def shared_app(services: Services) -> Flask:
    """The app for these services, made once per worker for every test whose settings differ
    only in their database and documents folder: `create_app` compiles some 170 URL rules and
    wires six extensions, about a tenth of a second that most web tests would spend again.
    Each test gets the app bound to its own services, with the configuration as made (a test
    may change it: a small upload limit)."""
    settings = services.settings
    key = repr(dataclasses.replace(settings, database=DatabaseSettings(),
                                   app=dataclasses.replace(settings.app, documents_dir="")))
    found = _APPS.get(key)
    if found is None:
        app = create_app(services=services, testing=True)
        _APPS[key] = (app, dict(app.config))
        return app
    app, config = found
    app.config.clear()
    app.config.update(config)
    app.extensions["thidua"] = services
    return app


@pytest.fixture
def app(services: Services, bloc: Bloc) -> Flask:
    return shared_app(services)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def csrf(client: FlaskClient, path: str = "/login") -> str:
    page = client.get(path).get_data(as_text=True)
    found = TOKEN.search(page)
    assert found, f"no CSRF token on {path}"
    return found.group(1)


class AuthActions:
    def __init__(self, client: FlaskClient, bloc: Bloc) -> None:
        self.client = client
        self.bloc = bloc

    def login(self, username: str, password: str = PASSWORD) -> object:
        """Sign in through the form (the account gets its password first: hashing every
        account's password for every test would only slow the tests down)."""
        people.set_password(self.bloc.services.uow(), self.bloc.users[username], PASSWORD)
        token = csrf(self.client)
        return self.client.post("/login", data={
            "username": username, "password": password, "csrf_token": token})

    def logout(self) -> object:
        token = csrf(self.client, "/")
        return self.client.post("/logout", data={"csrf_token": token})


@pytest.fixture
def auth(client: FlaskClient, bloc: Bloc) -> AuthActions:
    return AuthActions(client, bloc)
