"""One way to page a list: `?page=&page_size=` in, `{items, total, page, page_size}` out."""

# No `from __future__ import annotations` here: FastAPI reads the dependency's annotations at
# run time, and they name `max_size` and `default_size`, which only the closure knows.
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

T = TypeVar("T")

LAST_PAGE = 1_000_000
"""No list is paged further: beyond it the offset would overflow the databases' integers."""


@dataclass(frozen=True)
class PageRequest:
    """Which page of a list the caller asks for, counted from 1."""

    page: int = 1
    page_size: int = 50

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size


class Page(BaseModel, Generic[T]):
    """One page of a list, and how long the whole list is."""

    items: list[T]
    total: int
    page: int
    page_size: int


def paging(*, default_size: int = 50, max_size: int = 200) -> Callable[..., PageRequest]:
    """The query parameters of a paged route, as a dependency."""

    def page_request(
        page: Annotated[int, Query(ge=1, le=LAST_PAGE, description="counted from 1")] = 1,
        page_size: Annotated[int, Query(ge=1, le=max_size)] = default_size,
    ) -> PageRequest:
        return PageRequest(page=page, page_size=page_size)

    return page_request


Paging = Annotated[PageRequest, Depends(paging())]
"""The usual paging: 50 a page, at most 200."""


def fetch_page(session: Session, query: Select[Any], request: PageRequest) -> tuple[list[Any], int]:
    """The rows of one page of an ordered query, and the number of rows in all pages."""
    total = session.execute(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = session.execute(query.offset(request.offset).limit(request.page_size)).scalars()
    return list(rows.all()), int(total.scalar_one())


def page_of(items: list[T], total: int, request: PageRequest) -> Page[T]:
    """A page answer for `items`, the request's page of a list of `total`."""
    return Page(items=items, total=total, page=request.page, page_size=request.page_size)
