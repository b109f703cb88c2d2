"""End to end, on both engines: the README's family, whose application leaves facts out, goes
`approved` -> `action_needed` in three departments -> `settled` as each department's official
supplies what it asked for (the `luohu demo` walk-through, on the example parameters)."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared import demo
from shared.registry import DOWNSTREAM_SERVICES
from tests.e2e.conftest import start_on
from tests.platform_support import Platform

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "parameters"
# What the README's family leaves out: its income and dwelling, the spouse's and the child's
# insurance; and what others must confirm: the pension carried over, the child's school record.
ASKED = {"housing", "medical_insurance", "pension", "civil_affairs", "education"}


@pytest.mark.parametrize("engine", ["embedded", "kafka"])
def test_the_readme_family_is_settled_once_every_department_has_what_it_asked_for(
    platform: Platform, engine: str
) -> None:
    platform.env["LUOHU_PARAMETERS_DIR"] = str(EXAMPLES)
    start_on(platform, engine, "follow")
    settings = platform.settings()
    services = ("hukou", *DOWNSTREAM_SERVICES, "coordination")
    running = demo.Services(settings, {s: platform.url(s) for s in services})
    said: list[str] = []
    journey = demo.walk_through(running, said.append, seed=2017)
    first, settled = journey[0], journey[-1]

    assert first["status"] == "approved", "\n".join(said)
    waiting = {s for s, status in first["fanout"].items() if status == "action_needed"}
    assert waiting == ASKED, "\n".join(said)
    assert {s for s, status in first["fanout"].items() if status == "done"} == (
        set(DOWNSTREAM_SERVICES) - ASKED
    )
    assert settled["status"] == "settled", "\n".join(said)
    assert settled["fanout"] == dict.fromkeys(DOWNSTREAM_SERVICES, "done")
    assert settled["fanout_open_items"] == {}

    versions = {}
    for service in DOWNSTREAM_SERVICES:
        record = running.ok("GET", service, f"/v1/settlements/{settled['id']}")
        assert record["status"] == "done" and record["open_items"] == []
        versions[service] = record["version"]
    assert all(versions[s] >= 2 for s in ASKED), f"each asking department decided again: {versions}"
    # The office saw it settled too (四(一)), each department at its last decision, and says so
    office = running.ok("GET", "coordination", f"/v1/settlements/{settled['id']}")
    assert office["status"] == "settled" and office["next"] == []
    assert {d["service"]: d["version"] for d in office["departments"]} == versions
    assert any(line.startswith("协调机制") and "settled" in line for line in said), said
    assert platform.stop() == 0
    log = platform.log()
    people = [settled["applicant"], *settled["household"]]
    assert not [p["id_number"] for p in people if p["id_number"] in log]
    assert not [p["name"] for p in people if p["name"] in log]
