"""The constraints of the API's strings, as its marshmallow fields check them and as the OpenAPI
document states them (patterns both JSON Schema validators and schemathesis read alike)."""

from __future__ import annotations

import json
from typing import Any

from marshmallow import ValidationError, fields, validate

# What Text refuses, stated in the OpenAPI document so that a client (or schemathesis) knows.
# (Text also refuses a lone surrogate, which is no Unicode text: JSON Schema validators, whose
# regular expressions work on Unicode scalar values, cannot even name one in a pattern.)
NO_NUL = "^[^\\u0000]*$"
# Text with something to read: what a use case that strips its input refuses when nothing is
# left (Python's str.strip() removes these characters: ECMAScript's \s differs, so they are
# listed).
SPACE = ("\\t-\\r\\u001c-\\u0020\\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029"
         "\\u202f\\u205f\\u3000")
NOT_BLANK = f"^[^\\u0000]*[^\\u0000{SPACE}][^\\u0000]*$"
TIME = "^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"  # what fields.Time reads, at least
DATE = {"format": "date"}  # yyyy-mm-dd, as date.fromisoformat reads it
DOCUMENT_KIND = r"^[a-z][a-z0-9_]{0,63}$"  # as workflow.services.documents checks it
DOCUMENT_REF = r"^[A-Za-z0-9_.\-]{1,64}$"


class Text(fields.String):
    """A string the databases can store: no NUL character, no lone surrogate. `blank=False`
    states in the document that the use case refuses it blank (it strips what it is given)."""

    def __init__(self, *args: Any, blank: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not any(isinstance(v, validate.Regexp) for v in self.validators):
            self.metadata = {"pattern": NO_NUL if blank else NOT_BLANK, **self.metadata}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        text = super()._deserialize(value, attr, data, **kwargs)
        if "\x00" in text:
            raise ValidationError("Must not contain NUL characters.")
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise ValidationError("Not valid Unicode text.") from None
        return text


class Payload(fields.Dict):
    """An object of any names and JSON values (null too), all of them Unicode text: the history that
    keeps it hashes its UTF-8 (a lone surrogate has none; JSON Schema cannot name one, and
    no other constraint is checked, as OpenAPI 3.0 cannot say what an object's keys may be)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(keys=fields.String(), values=fields.Raw(allow_none=True), **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        loaded = super()._deserialize(  # type: ignore[no-untyped-call]  # marshmallow's
            value, attr, data, **kwargs)
        try:
            json.dumps(loaded, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise ValidationError("Not valid Unicode text.") from None
        return loaded
