"""Declared loaders: how a service finds one of its records by key, said once.

Every service reads its records the same way (`shared.routes.load_one`: read afresh, locked
when it is about to change, a 404 naming what is missing). What differs from one record to the
next is only the model, the column its key is in, the words of the 404 and what is loaded with
it; a `Loader` holds just those, so a service declares

    load_permit = Loader(
        ResidencePermit,
        ResidencePermit.id,
        "no residence permit {}",
        options=(selectinload(ResidencePermit.endorsements),),
    )

and calls `load_permit(session, permit_id, for_update=True)` as it would a function.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.sql.base import ExecutableOption

from shared.routes import load_one

M = TypeVar("M")


@dataclass(frozen=True)
class Loader(Generic[M]):
    """The one `model` row whose `key` column holds a given value, or a 404.

    `not_found` is the 404's text with `{}` where the value goes (an id, never a person's
    data); `options` are loaded with the row (its collections, say)."""

    model: type[M]
    key: InstrumentedAttribute[str]
    not_found: str
    options: Sequence[ExecutableOption] = ()

    def __call__(self, session: Session, value: str, *, for_update: bool = False) -> M:
        """The row read afresh (locked with `for_update`), or a 404 saying what is missing."""
        return load_one(
            session,
            self.model,
            self.key == value,
            not_found=self.not_found.format(value),
            for_update=for_update,
            options=self.options,
        )
