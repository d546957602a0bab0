"""Errors raised when a business rule refuses its input."""

from __future__ import annotations

from collections.abc import Mapping


class DomainError(ValueError):
    """A request the business rules refuse; ``field`` names the offending input when known.

    ``code`` and ``params`` are set where a person may read the refusal (the calculators): the
    UI words it in its own language from them; the message stays English for logs and the API.
    """

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        code: str | None = None,
        params: Mapping[str, object] | None = None,
    ) -> None:
        super().__init__(message)
        self.field = field
        self.code = code
        self.params: Mapping[str, object] = dict(params or {})


class InvalidTransition(DomainError):
    """A case or conversation was asked to move to a state it cannot reach from where it is."""


class PolicyError(DomainError):
    """A policy or calendar file that cannot be used; names the file, the key and why."""

    def __init__(self, file: str, key: str | None, reason: str, *, line: int | None = None) -> None:
        self.file = file
        self.key = key
        self.reason = reason
        self.line = line
        where = key if key is not None else (f"line {line}" if line is not None else None)
        text = f"{file}: {where}: {reason}" if where else f"{file}: {reason}"
        super().__init__(text, field=key)
