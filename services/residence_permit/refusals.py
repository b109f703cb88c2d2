"""A rule's refusal as the API answers it: 409 when a record's state is the cause, else 422
naming the field."""

from __future__ import annotations

from typing import Any, NoReturn, Protocol

from shared.errors import Conflict, InvalidInput


class Refused(Protocol):
    """What a refusing rule says: why, of which field, and under which clause and article."""

    @property
    def reason(self) -> str: ...
    @property
    def field(self) -> str | None: ...
    @property
    def conflict(self) -> bool: ...
    @property
    def regulation(self) -> str: ...
    @property
    def clause(self) -> str: ...


def refuse(refused: Refused, what: str, **about: Any) -> NoReturn:
    """Raise `refused` as the error it is: "`what` is refused: <reason>", with one detail that
    carries the clause, the article and `about` (the record's id)."""
    detail = {"reason": refused.reason, "clause": refused.clause, "regulation": refused.regulation}
    message = f"{what} is refused: {refused.reason}"
    if refused.conflict:
        raise Conflict(message, details=[{**detail, **about}])
    raise InvalidInput(message, details=[{"field": refused.field, **detail}])
