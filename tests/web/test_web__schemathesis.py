"""Every operation of the OpenAPI document, called with generated input by a signed-in client:
no input, however odd, makes the API fail with a server error or answer off its document."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests.year_support import Bloc, launch
from web.api import openapi_document
from workflow.services import api_tokens, people

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


@pytest.fixture
def db_url(tmp_path: Path, migrated_template: Callable[[str], str]) -> str:
    """SQLite only: the generated calls test the API layer, not the database."""
    shutil.copyfile(migrated_template("sqlite"), tmp_path / "thidua.db")
    return f"sqlite:///{tmp_path}/thidua.db"


@pytest.fixture
def seeded(bloc: Bloc) -> dict[str, Any]:
    """A launched campaign (its pledges waiting) and an admin-and-leader token."""
    campaign = launch(bloc)
    people.grant(bloc.services.uow(), bloc.users["btp_head"], "admin")
    token = api_tokens.create_token(bloc.services.uow(), bloc.clock, bloc.users["btp_head"],
                                    "schemathesis")
    ids = [campaign.id] + [c.id for c in bloc.wf.children(campaign.id)]
    return {"headers": {"Authorization": f"Bearer {token}"}, "ids": ids, "bloc": bloc}


# The document the app serves at /api/openapi.json (test_served_document_is_the_one_tested); it
# needs no database, so it loads at collection. (schemathesis.pytest.from_fixture would load it
# from the app, but its lazy loader breaks on pytest 9: it sets the private Function._nodeid.)
schema = schemathesis.openapi.from_dict(openapi_document())


def test_served_document_is_the_one_tested(client: FlaskClient) -> None:
    assert client.get("/api/openapi.json").get_json() == openapi_document()


def aim_at_real_items(case: Any, seeded: dict[str, Any]) -> None:
    """Small generated ids point at the seeded items, and an even version at their current
    one, so that many calls reach the services instead of stopping at 'not found'."""
    ids: list[int] = seeded["ids"]
    for name, value in list((case.path_parameters or {}).items()):
        if isinstance(value, int) and value <= 1000:
            case.path_parameters[name] = ids[value % len(ids)]
    item_id = (case.path_parameters or {}).get("item_id")
    body = case.body if isinstance(case.body, dict) else {}
    if item_id in ids and isinstance(body.get("version"), int) and body["version"] % 2 == 0:
        body["version"] = seeded["bloc"].wf.get(item_id).version


@schema.parametrize()
@settings(max_examples=25, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_generated_calls_never_fail_on_the_server(case: Any, app: Flask,
                                                  seeded: dict[str, Any]) -> None:
    aim_at_real_items(case, seeded)

    case.call_and_validate(app=app, headers=seeded["headers"], checks=CHECKS)
