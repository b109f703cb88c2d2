"""The office's view is what the departments said (四(一) 协调机制; 四(三) 督查): after any
interleaving of approvals and reports across settlements, out of order, redelivered under the
same id or sent again under another, each family's view shows every department's latest
decision, the status that follows from them, and each decision once in its timeline."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given
from hypothesis import settings as examples
from hypothesis import strategies as st

from shared.events.envelope import CloudEvent
from shared.registry import DOWNSTREAM_SERVICES
from shared.settings import Settings
from tests.api.coordination_support import deliver, item, report
from tests.settlements import approval, settlement
from tests.support import Headers, ok, token

STATUSES = ("done", "action_needed", "failed")


@dataclass(frozen=True)
class Decision:
    """One decision a department made on a settlement, as its report says it."""

    service: str
    version: int
    status: str

    def event(self, settlement_id: str) -> CloudEvent:
        items = [item(f"{self.service}.fact")] if self.status == "action_needed" else []
        return report(settlement_id, self.service, self.version, self.status, *items)


def expected_status(latest: dict[str, str]) -> str:
    """Written out again from the office's rule: a failure first, then an open item, then a
    department yet to report; settled when every one is done."""
    parts = [latest.get(service, "awaiting") for service in DOWNSTREAM_SERVICES]
    for status, overall in (("failed", "failed"), ("action_needed", "action_needed")):
        if status in parts:
            return overall
    return "awaiting" if "awaiting" in parts else "settled"


decisions = st.lists(
    st.tuples(
        st.sampled_from(DOWNSTREAM_SERVICES), st.lists(st.sampled_from(STATUSES), max_size=3)
    ),
    max_size=len(DOWNSTREAM_SERVICES),
    unique_by=lambda pair: pair[0],
)
"""Per department (some never report), the statuses of its decisions, version 1 first."""


@examples(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(families=st.lists(decisions, min_size=1, max_size=3), data=st.data())
def test_each_familys_view_is_what_the_departments_reported(
    office: TestClient, settings: Settings, families: list[Any], data: st.DataObject
) -> None:
    headers: Headers = token(settings, "coordination")
    told: dict[str, list[Decision]] = {}
    events: list[CloudEvent] = []
    for family in families:
        approved = settlement()
        made = [
            Decision(service, version, status)
            for service, statuses in family
            for version, status in enumerate(statuses, start=1)
        ]
        told[approved.settlement_id] = made
        events += [approval(approved), *(d.event(approved.settlement_id) for d in made)]
    # Redelivered (the same event again), and sent again under another id (the same decision).
    again = data.draw(st.lists(st.sampled_from(events), max_size=4), label="redelivered")
    decided = [(settlement_id, d) for settlement_id, made in told.items() for d in made]
    sent_again = (
        data.draw(st.lists(st.sampled_from(decided), max_size=3), label="resent") if decided else []
    )
    resent = [decision.event(settlement_id) for settlement_id, decision in sent_again]
    interleaved = data.draw(st.permutations([*events, *again, *resent]), label="order")
    cut = data.draw(st.integers(0, len(interleaved)), label="delivered in two")
    deliver(office, settings, *interleaved[:cut])
    deliver(office, settings, *interleaved[cut:])

    for settlement_id, made in told.items():
        shown = ok(office.get(f"/v1/settlements/{settlement_id}", headers=headers))
        latest = {d.service: d for d in sorted(made, key=lambda d: d.version)}
        parts = {part["service"]: part for part in shown["departments"]}
        for service in DOWNSTREAM_SERVICES:
            decision = latest.get(service)
            part = parts[service]
            if decision is None:
                assert (part["status"], part["version"]) == ("awaiting", None)
            else:
                assert (part["status"], part["version"]) == (decision.status, decision.version)
                assert len(part["open_items"]) == (decision.status == "action_needed")
        assert shown["status"] == expected_status({s: d.status for s, d in latest.items()})
        every = [e for e in shown["timeline"] if e["service"] != "hukou"]
        assert sorted((e["service"], e["version"]) for e in every) == sorted(
            (d.service, d.version) for d in made
        )
        assert [e["service"] for e in shown["timeline"]].count("hukou") == 1
