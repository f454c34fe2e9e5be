"""The error hierarchy of thidua; the web layer maps each kind to one HTTP status."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from workflow.domain.refusals import Refusal


class WorkflowError(Exception):
    """Base of every error a user can act on."""

    code = "workflow_error"


class DefinitionError(WorkflowError):
    """One problem in a definition file, located by file, line and path."""

    code = "invalid_definition"

    def __init__(self, file: str, line: int | None, path: str, message: str) -> None:
        self.file = file
        self.line = line
        self.path = path
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where} {self.path}: {self.message}" if self.path else f"{where}: {self.message}"

    def __repr__(self) -> str:
        return f"DefinitionError({str(self)!r})"


class DefinitionErrors(WorkflowError):
    """Every problem found in one or more definition files, reported at once."""

    code = "invalid_definition"

    def __init__(self, errors: Iterable[DefinitionError]) -> None:
        self.errors = sorted(errors, key=lambda e: (e.file, e.line or 0, e.path))
        super().__init__("\n".join(str(e) for e in self.errors))


class TransitionNotAllowed(WorkflowError):
    """A fire was refused: the message says which check failed and why, in English with codes
    (for logs and machines); `refusal` says it as a catalogue code and parameters, which the
    pages render in the reader's language; `trigger` is the action that was refused."""

    code = "transition_not_allowed"

    def __init__(
        self, check: str, message: str, refusal: Refusal | None = None,
        trigger: str | None = None,
    ) -> None:
        self.check = check  # trigger | role | guard | required | status
        self.message = message
        self.refusal = refusal
        self.trigger = trigger
        super().__init__(message)


class PermissionDenied(WorkflowError):
    """The actor holds no role that allows the action."""

    code = "permission_denied"


class StaleState(WorkflowError):
    """The instance changed since it was loaded; nothing was written."""

    code = "stale_state"


class NotFound(WorkflowError):
    """A named thing does not exist."""

    code = "not_found"


class InvalidInput(WorkflowError):
    """Input to a use case is malformed; the message names the field. A use case that knows
    the catalogue code of the problem gives it as `refusal`, for the pages' sentence."""

    code = "invalid_input"

    def __init__(self, message: str, refusal: Refusal | None = None) -> None:
        self.refusal = refusal
        super().__init__(message)


class Conflict(InvalidInput):
    """Well-formed input that the data or a rule of the domain refuses, which no schema of the
    request could state: a code already taken, a unit that does not exist, the leader also the
    deputy, a date outside the campaign's year. The API answers 409 Conflict (400 is for what its
    OpenAPI document refuses); the pages show it as any invalid input."""


class WeakPassword(Conflict):
    """A password too easy to guess; `reason` is a code with `params` for the pages' sentence."""

    code = "weak_password"

    def __init__(self, reason: str, params: dict[str, int], message: str) -> None:
        self.reason = reason
        self.params = params
        super().__init__(message)


class MigrationRefused(WorkflowError):
    """A migration of running instances cannot proceed as asked."""

    code = "migration_refused"


def suggest(word: str, candidates: Iterable[str]) -> str:
    """" (did you mean 'x'?)" for the closest candidate, or "" when none is close."""
    matches = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f" (did you mean '{matches[0]}'?)" if matches else ""
