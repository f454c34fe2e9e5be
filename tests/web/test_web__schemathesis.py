"""Every operation of the OpenAPI document, called with generated input by a signed-in client:
no input, however odd, makes the API fail with a server error or answer off its document, and
no input the document allows is refused as malformed (schemathesis' positive_data_acceptance:
the document states every constraint the server checks)."""

from __future__ import annotations

import itertools
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
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.config import PositiveDataAcceptanceConfig

from tests.year_support import Bloc, launch
from web.api import openapi_document
from workflow.services import api_tokens, people

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance, positive_data_acceptance]

# What a request the document allows may be answered, besides success: schemathesis' own list
# (401, 403, 404 and 409 among them: 409 is the API's answer to a well-formed request that the
# data or a rule of the domain refuses, e.g. a code already taken), and the two answers of a
# precondition, 412 (If-Match names a version the item has left) and 428 (an action sent with
# neither If-Match nor 'version'). Never 400 (the document's schemas refuse that input) nor 422
# (an Idempotency-Key reused for another request: each generated call has a key of its own).
ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "412", "428", "429", "5xx"]


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
schema.config.checks.positive_data_acceptance = PositiveDataAcceptanceConfig(
    expected_statuses=ACCEPTED)
KEYS = itertools.count(1)


def test_served_document_is_the_one_tested(client: FlaskClient) -> None:
    assert client.get("/api/openapi.json").get_json() == openapi_document()


def aim_at_real_items(case: Any, seeded: dict[str, Any]) -> None:
    """Small generated ids point at the seeded items, and an even version at their current
    one, so that many calls reach the services instead of stopping at 'not found'."""
    ids: list[int] = seeded["ids"]
    for name, value in list((case.path_parameters or {}).items()):
        if isinstance(value, int) and value <= 1000:
            case.path_parameters[name] = ids[value % len(ids)]
    item_id = next(iter((case.path_parameters or {}).values()), None)
    current = seeded["bloc"].wf.get(item_id).version if item_id in ids else None
    body = case.body if isinstance(case.body, dict) else {}
    if current is not None and isinstance(body.get("version"), int) and body["version"] % 2 == 0:
        body["version"] = current
    headers = case.headers or {}
    if current is not None and headers.get("If-Match", "").strip('W/"').isdigit() \
            and int(headers["If-Match"].strip('W/"')) % 2 == 0:
        headers["If-Match"] = f'"{current}"'


def key_of_its_own(case: Any) -> None:
    """An Idempotency-Key means 'this very request, perhaps sent again': the generator, which
    knows nothing of that, draws the same short keys for different requests (which the server
    rightly refuses with 422). Each call keeps its drawn key, made unique by a suffix."""
    headers = case.headers or {}
    if "Idempotency-Key" in headers:
        headers["Idempotency-Key"] = f"{headers['Idempotency-Key'][:200]}.{next(KEYS)}"


# A few random examples per operation besides the coverage phase's (its boundary values,
# missing and mistyped fields, unexpected methods: some 60 calls an operation): every CI runs it
@schema.parametrize()
@settings(max_examples=10, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_generated_calls_never_fail_on_the_server(case: Any, app: Flask,
                                                  seeded: dict[str, Any]) -> None:
    aim_at_real_items(case, seeded)
    key_of_its_own(case)

    case.call_and_validate(app=app, headers=seeded["headers"], checks=CHECKS)
