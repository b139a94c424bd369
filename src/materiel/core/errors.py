"""One hierarchy of errors for the whole system.

Every error a user can cause derives from `MaterielError`. Each class says
what kind of failure it is; the API maps the kind once to an HTTP status
(`api/problems.py`) and the CLI once to an exit code (`cli.py`). Messages
say what was wrong, where, and what to do.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located as precisely as we can."""

    message: str
    file: str | None = None
    row: int | None = None
    column: str | None = None

    def where(self) -> str:
        parts = [
            self.file or "",
            f"row {self.row}" if self.row is not None else "",
            f"column '{self.column}'" if self.column else "",
        ]
        return ", ".join(p for p in parts if p)

    def __str__(self) -> str:
        where = self.where()
        return f"{where}: {self.message}" if where else self.message


class MaterielError(Exception):
    """Base of every error that a user's input or action can cause."""

    title = "Request failed"

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems: list[Problem] = problems or []


class InvalidInput(MaterielError):
    """The input is malformed or breaks a rule of the model."""

    title = "Invalid input"


class NotFound(MaterielError):
    """A referenced record does not exist (or is not visible to the caller)."""

    title = "Not found"


class Conflict(MaterielError):
    """The request clashes with the current state (duplicate, invalid transition)."""

    title = "Conflict"


class StaleVersion(Conflict):
    """The record changed since the caller read it: a lost update was refused."""

    title = "Stale version"


class AlreadyExists(Conflict):
    """A new record's id was taken, perhaps a moment ago by a request that raced this one."""


class Busy(Conflict):
    """The database stayed locked by other writers too long; nothing was changed, try again."""

    title = "Busy"

    def __init__(self, message: str, retry_after: int = 1) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PlanningFailed(MaterielError):
    """A planner could not produce a result (infeasible input, solver failure)."""

    title = "Planning failed"


class ImportRejected(InvalidInput):
    """An import was refused as a whole; `problems` lists every rejected row."""

    title = "Import rejected"


class UploadTooLarge(InvalidInput):
    """An uploaded file is over a size or row limit; the message names the limit."""

    title = "Upload too large"


class Unauthenticated(MaterielError):
    """The caller did not prove who they are (no, wrong or expired credentials)."""

    title = "Not signed in"


class Forbidden(MaterielError):
    """The caller may see the record but not do this to it."""

    title = "Forbidden"


class TooManyRequests(MaterielError):
    """The caller tried too often; `retry_after` says when to try again (seconds)."""

    title = "Too many requests"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
