"""A service's database as the version before the migrations' squash left it."""

from __future__ import annotations

import sqlalchemy as sa

from shared.db import make_engine
from shared.service import ServiceSpec

STALE_REVISION = "0002"  # hukou's and most services' head before the squash


def stamp_before_the_squash(spec: ServiceSpec, url: str) -> None:
    """Build the service's database at `url`, then stamp it at `STALE_REVISION`."""
    spec.migrate(url)
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(
                sa.text("INSERT INTO alembic_version VALUES (:revision)"),
                {"revision": STALE_REVISION},
            )
    finally:
        engine.dispose()
