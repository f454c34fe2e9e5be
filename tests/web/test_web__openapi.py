"""The OpenAPI document is generated (apispec) from the marshmallow schemas the API loads
requests with and dumps answers through: it is valid, every operation has a described answer,
and what a view returns cannot carry a key the document does not list."""

from __future__ import annotations

from typing import Any

from schemathesis.specs.openapi.definitions import OPENAPI_30_VALIDATOR

from web.api import OPERATIONS, openapi_document
from web.api.schemas import REPLIES, ErrorDetailSchema, MeSchema

REF = "#/components/schemas/"


def _refs(value: Any) -> set[str]:
    if isinstance(value, dict):
        own = {value["$ref"]} if isinstance(value.get("$ref"), str) else set()
        return own.union(*(_refs(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(_refs(v) for v in value))
    return set()


def test_the_generated_document_is_valid_openapi_3_0() -> None:
    doc = openapi_document()

    OPENAPI_30_VALIDATOR.validate(doc)
    assert doc["openapi"] == "3.0.3"
    assert {r.removeprefix(REF) for r in _refs(doc)} <= set(doc["components"]["schemas"])


def test_every_operation_describes_its_answer_and_its_errors_with_a_schema() -> None:
    doc = openapi_document()
    operations = [(path, method, op) for path, ops in doc["paths"].items()
                  for method, op in ops.items()]

    assert len(operations) == len(OPERATIONS)
    for path, method, op in operations:
        for status, answer in op["responses"].items():
            if status.startswith("2") and "application/json" not in answer["content"]:
                for media, file in answer["content"].items():  # a file: a template, a document
                    assert file["schema"] == {"type": "string", "format": "binary"}, (
                        method, path, media)
                continue
            schema = answer["content"]["application/json"]["schema"]
            if status.startswith("2"):
                assert schema["$ref"].startswith(REF), (method, path)
            else:
                assert schema == {"$ref": REF + "Error"}, (method, path, status)
        assert any(s.startswith("2") for s in op["responses"]), (method, path)
        assert "default" in op["responses"], (method, path)


def test_replies_are_components_and_requests_are_inlined() -> None:
    doc = openapi_document()
    fire = doc["paths"]["/api/v1/items/{item_id}/fire"]["post"]
    upload = doc["paths"]["/api/v1/items/{item_id}/documents"]["post"]["requestBody"]
    item = doc["components"]["schemas"]["Item"]

    assert "$ref" not in fire["requestBody"]["content"]["application/json"]["schema"]
    assert fire["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": REF + "Fired"}
    assert upload["content"]["multipart/form-data"]["schema"]["properties"]["file"] == {
        "type": "string", "format": "binary"}
    assert item["additionalProperties"] is False
    assert set(item["required"]) == set(item["properties"])
    assert item["properties"]["unit_id"] == {"type": "integer", "nullable": True}
    assert {name for name, schema in REPLIES.items() if schema is not None} <= set(
        doc["components"]["schemas"])


def test_an_error_lists_its_optional_keys_as_optional() -> None:
    error = openapi_document()["components"]["schemas"]["ErrorDetail"]

    assert error["required"] == ["code", "message"]
    assert set(error["properties"]) == {"code", "message", "check", "fields", "errors",
                                        "refusals", "current_version"}


def test_a_dumped_answer_keeps_only_the_keys_the_document_lists() -> None:
    dumped = MeSchema().dump({"id": 3, "username": "an", "on_behalf_of": None, "roles": [
        {"role": "unit_officer", "unit_id": 1, "cluster_id": None, "year": 2025,
         "granted_by": "admin"}], "password_hash": "scrypt:…"})
    error = ErrorDetailSchema().dump({"code": "invalid_input", "message": "m",
                                      "fields": {"kind": ["Missing data."]}})

    assert dumped == {"id": 3, "username": "an", "on_behalf_of": None, "roles": [
        {"role": "unit_officer", "unit_id": 1, "cluster_id": None, "year": 2025}]}
    assert error == {"code": "invalid_input", "message": "m",
                     "fields": {"kind": ["Missing data."]}}


def _body(doc: dict[str, Any], path: str) -> dict[str, Any]:
    schema: dict[str, Any] = doc["paths"][path]["post"]["requestBody"]["content"][
        "application/json"]["schema"]
    return schema


def test_the_document_states_what_the_server_checks() -> None:
    """Issue 18, finding 16: each constraint the views check, in a form JSON Schema validators
    (and schemathesis) read: every pattern compiles for them, objects count their keys, a
    time of day and a blank text are described, and a well-formed request refused by the data
    is a 409, one without any version a 428."""
    import jsonschema_rs

    doc = openapi_document()
    vote = _body(doc, "/api/v1/campaigns/{campaign_id}/votes")["properties"]
    meeting = vote["meeting"]["properties"]
    unit = _body(doc, "/api/v1/units")["properties"]
    blank = jsonschema_rs.validator_for({"type": "string", "pattern": unit["name"]["pattern"]})
    fire = doc["paths"]["/api/v1/items/{item_id}/fire"]["post"]["responses"]

    for pattern in _patterns(doc):
        jsonschema_rs.validator_for({"type": "string", "pattern": pattern})  # compiles
    assert (vote["candidates"]["minProperties"], vote["candidates"]["maxProperties"]) == (1, 20)
    assert "minLength" not in vote["candidates"]
    assert vote["candidates"]["additionalProperties"]["uniqueItems"] is True
    assert jsonschema_rs.validator_for({"type": "string", "pattern": meeting["time"]["pattern"]}
                                       ).is_valid("08:30")
    assert [blank.is_valid(t) for t in ("", " \u3000\t", "Bộ Tư pháp", "a\x00")] == [
        False, False, True, False]
    assert {"409", "412", "428"} <= set(fire)


def _patterns(value: Any) -> set[str]:
    if isinstance(value, dict):
        own = {value["pattern"]} if isinstance(value.get("pattern"), str) else set()
        return own.union(*(_patterns(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(_patterns(v) for v in value))
    return set()
