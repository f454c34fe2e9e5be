"""The API's own description: the OpenAPI document, the one route that needs no token."""

from __future__ import annotations

from flask.typing import ResponseReturnValue

from web.api import openapi_document, operation


@operation("GET", "/openapi.json", "This document", (200, "OpenApiDocument"), public=True,
           tags=("meta",))
def openapi() -> ResponseReturnValue:
    return openapi_document()
