"""A declared `Loader` finds one record by its key as `load_one` does: the row read afresh, its
declared collections with it, locked when asked, or a 404 naming the key."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import ForeignKey, String, create_engine, event, inspect, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    ORMExecuteState,
    Session,
    mapped_column,
    relationship,
    selectinload,
)

from shared.errors import NotFound
from shared.loading import Loader


class Base(DeclarativeBase):
    pass


class Shelf(Base):
    __tablename__ = "shelves"

    id: Mapped[str] = mapped_column(String(10), primary_key=True)
    label: Mapped[str] = mapped_column(String(50))
    books: Mapped[list[Book]] = relationship(back_populates="shelf")


class Book(Base):
    __tablename__ = "books"

    id: Mapped[str] = mapped_column(String(10), primary_key=True)
    shelf_id: Mapped[str] = mapped_column(ForeignKey("shelves.id"))
    shelf: Mapped[Shelf] = relationship(back_populates="books")


load_shelf = Loader(Shelf, Shelf.id, "no shelf {}", options=(selectinload(Shelf.books),))
load_bare_shelf = Loader(Shelf, Shelf.id, "no shelf {}")


@pytest.fixture
def session() -> Iterator[Session]:
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        session.add_all([Shelf(id="s1", label="first"), Book(id="b1", shelf_id="s1")])
        session.commit()
        session.expunge_all()
        yield session
    engine.dispose()


def test_the_row_with_the_key_is_found_with_what_it_declares_loaded(session: Session) -> None:
    shelf = load_shelf(session, "s1")
    assert shelf.label == "first"
    assert "books" in _loaded(shelf)
    assert [book.id for book in shelf.books] == ["b1"]


def test_a_loader_without_options_leaves_collections_unloaded(session: Session) -> None:
    assert "books" not in _loaded(load_bare_shelf(session, "s1"))


def test_a_missing_key_is_a_404_naming_it(session: Session) -> None:
    with pytest.raises(NotFound) as raised:
        load_shelf(session, "s9")
    assert raised.value.message == "no shelf s9"


def test_the_row_is_read_afresh_over_what_the_session_holds(session: Session) -> None:
    shelf = load_bare_shelf(session, "s1")
    session.execute(update(Shelf).values(label="changed in the database"))
    assert load_bare_shelf(session, "s1") is shelf
    assert shelf.label == "changed in the database"


@pytest.mark.parametrize("for_update", [False, True])
def test_the_row_is_locked_only_when_asked(session: Session, for_update: bool) -> None:
    statements: list[str] = []

    @event.listens_for(session, "do_orm_execute")
    def _record(state: ORMExecuteState) -> None:
        if state.is_select:
            statements.append(str(state.statement.compile(dialect=postgresql.dialect())))

    load_bare_shelf(session, "s1", for_update=for_update)
    assert len(statements) == 1
    assert statements[0].rstrip().endswith("FOR UPDATE") is for_update


def _loaded(row: object) -> set[str]:
    """The attributes of `row` already loaded (its columns, and any collection loaded with it)."""
    return set(inspect(row).attrs.keys()) - inspect(row).unloaded
