"""JSON bodies nested absurdly deep are refused with a 400 that says so, before any view parses
them (Python's parser recurses once per level: 1,000 levels were a 500 on every JSON POST)."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from tests.web.test_web__api import bearer
from tests.year_support import Bloc, launch
from web.security import MAX_JSON_DEPTH, json_depth


def _deep(levels: int) -> str:
    return "[" * levels + "]" * levels


@pytest.mark.parametrize("path", ["/api/v1/items/{}/fire", "/api/v1/items/{}/documents",
                                  "/login", "/public/dossiers/1/objections"])
def test_a_thousand_deep_json_body_is_a_400_naming_the_problem(client: FlaskClient, bloc: Bloc,
                                                               path: str) -> None:
    campaign = launch(bloc)
    body = '{"trigger": "x", "payload": ' + _deep(1000) + "}"

    response = client.post(path.format(campaign.id), data=body,
                           content_type="application/json", headers=bearer(bloc, "btp_head"))

    assert response.status_code == 400
    assert response.is_json
    error = response.get_json()["error"]
    assert error["code"] == "too_deep"
    assert f"more than {MAX_JSON_DEPTH} levels deep" in error["message"]


def test_a_body_at_the_limit_reaches_the_view(client: FlaskClient, bloc: Bloc) -> None:
    campaign = launch(bloc)
    body = '{"trigger": "nope", "version": 1, "payload": {"x": ' + _deep(MAX_JSON_DEPTH - 2) \
        + "}}"

    response = client.post(f"/api/v1/items/{campaign.id}/fire", data=body,
                           content_type="application/json", headers=bearer(bloc, "btp_head"))

    assert response.status_code != 500
    assert response.get_json()["error"]["code"] != "too_deep"


def test_brackets_inside_strings_do_not_count() -> None:
    assert json_depth(('{"a": "' + "[" * 100 + '\\"[[[", "b": [[1]]}').encode()) == 3
    assert json_depth(_deep(40).encode()) == 40
    assert json_depth(b'{"a": 1}') == 0  # too few brackets to be worth scanning
