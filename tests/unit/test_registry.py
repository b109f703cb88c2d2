"""The registry is the one list of services: each service's package agrees with its entry."""

from __future__ import annotations

import importlib

import pytest

from shared.events.envelope import topic_of
from shared.keys import keyring_for
from shared.registry import (
    DEPARTMENT_SCOPES,
    DOWNSTREAM_SERVICES,
    PERMIT_CHANGED,
    SERVICE_PORTS,
    SERVICES,
    SETTLEMENT_APPROVED,
    ServiceEntry,
    audit_head_type,
    processed_type,
    topics,
)
from shared.settings import Settings
from tests.support import session_keys


def test_the_ports_are_the_contracts() -> None:
    assert dict(SERVICE_PORTS) == {
        "hukou": 8001,
        "housing": 8002,
        "medical_insurance": 8003,
        "pension": 8004,
        "education": 8005,
        "residence_permit": 8006,
        "civil_affairs": 8007,
        "coordination": 8008,
    }
    assert len(set(SERVICE_PORTS.values())) == len(SERVICE_PORTS)


def test_the_departments_hold_the_scopes_the_contract_gives_them() -> None:
    follow_through = {
        "housing:read",
        "medical:read",
        "pension:read",
        "education:read",
        "minimum_living:read",
    }
    settlement = {"settlement:read", "settlement:write", "settlement:approve", "target:write"}
    every_read = {
        "settlement:read",
        "report:read",
        "permit:read",
        "coordination:read",
        "finding:read",
    }
    # 四(四): every department that runs a service answers the audit findings naming it
    answering = {"finding:read", "finding:respond"}
    assert {dept: set(scopes) for dept, scopes in DEPARTMENT_SCOPES.items()} == {
        "public_security": settlement
        | {"report:read", "permit:read", "permit:write", "coordination:read"}
        | follow_through
        | answering,
        "housing": {"housing:read", "housing:write"} | answering,
        "human_resources": {"medical:read", "medical:write", "pension:read", "pension:write"}
        | answering,
        "education": {"education:read", "education:write"} | answering,
        "civil_affairs": {"minimum_living:read", "minimum_living:write"} | answering,
        "finance": {"report:read"},
        "natural_resources": {"report:read"},
        # 四(二) 市统计局牵头: statistics alone records the population figures
        "statistics": {"report:read", "population:write"},
        "agriculture": {"report:read"},
        # 四(一): the coordination office reads everywhere and writes only its own records
        # (四(三): its follow-up list)
        "coordination": every_read | follow_through | answering | {"coordination:write"},
        # 四(四): audit reads everything and changes nothing but its own findings
        "audit": every_read | {"audit:read", "finding:write"} | follow_through,
    }


def test_audit_holds_no_scope_that_changes_anything_but_its_findings() -> None:
    """The one extension (docs/contract.md "Differences"): audit records its findings."""
    writes = {scope for scope in DEPARTMENT_SCOPES["audit"] if not scope.endswith(":read")}
    assert writes == {"finding:write"}
    assert all("finding:write" not in held for d, held in DEPARTMENT_SCOPES.items() if d != "audit")


def test_hukou_waits_for_every_department_that_follows_settlements() -> None:
    assert DOWNSTREAM_SERVICES == (
        "housing",
        "medical_insurance",
        "pension",
        "education",
        "residence_permit",
        "civil_affairs",
    )


@pytest.mark.parametrize("entry", SERVICES, ids=lambda entry: entry.name)
def test_each_service_consumes_exactly_what_its_entry_says(entry: ServiceEntry) -> None:
    spec = importlib.import_module(f"services.{entry.name}.app").SPEC
    assert spec.name == entry.name
    subscriptions = spec.all_subscriptions(keyring_for(Settings(keys_dir=session_keys())))
    handled = {type_ for subscription in subscriptions for type_ in subscription.handlers}
    assert handled == set(entry.consumes)
    read = {topic for subscription in subscriptions for topic in subscription.topics}
    assert read == {topic_of(type_) for type_ in entry.consumes}


def test_the_departments_report_back_and_hukou_reads_every_report() -> None:
    hukou = next(entry for entry in SERVICES if entry.name == "hukou")
    assert hukou.produces == (SETTLEMENT_APPROVED, audit_head_type("hukou"))
    assert set(hukou.consumes) == {processed_type(name) for name in DOWNSTREAM_SERVICES}
    for entry in SERVICES:
        if entry.follows_settlements:
            assert entry.consumes == (SETTLEMENT_APPROVED,)
            assert entry.produces[0] == processed_type(entry.name)
            assert entry.produces[-1] == audit_head_type(entry.name)


def test_only_residence_permits_publish_their_changes_and_only_the_office_reads_them() -> None:
    """三(一) 持有居住证人口: the office counts the holders from each permit's changes."""
    assert {e.name for e in SERVICES if PERMIT_CHANGED in e.produces} == {"residence_permit"}
    assert {e.name for e in SERVICES if PERMIT_CHANGED in e.consumes} == {"coordination"}
    for entry in SERVICES:
        if entry.follows_settlements and entry.name != "residence_permit":
            assert entry.produces == (processed_type(entry.name), audit_head_type(entry.name))


def test_the_coordination_office_reads_every_settlement_event_and_is_waited_for_by_none() -> None:
    """四(一) 协调机制: the office follows the approvals and every report, and decides nothing:
    hukou's fan-out does not wait for it, and nothing of the family is sealed to it."""
    office = next(entry for entry in SERVICES if entry.name == "coordination")
    reports = {processed_type(name) for name in DOWNSTREAM_SERVICES}
    heads = {audit_head_type(name) for name in SERVICE_PORTS}
    assert set(office.consumes) == {SETTLEMENT_APPROVED, PERMIT_CHANGED} | reports | heads
    assert office.produces == (audit_head_type("coordination"),)
    assert office.receives == ()
    assert "coordination" not in DOWNSTREAM_SERVICES


def test_an_observer_that_receives_personal_data_is_refused() -> None:
    with pytest.raises(ValueError, match="receives none of the family"):
        ServiceEntry("x", 9999, "x", "x", (), observes_settlements=True, receives=("housing",))


def test_the_topics_are_the_approvals_reports_permit_changes_and_every_audit_head() -> None:
    assert topics() == (
        "hukou.settlement.approved",
        "hukou.audit.head",
        "housing.settlement.processed",
        "housing.audit.head",
        "medical_insurance.settlement.processed",
        "medical_insurance.audit.head",
        "pension.settlement.processed",
        "pension.audit.head",
        "education.settlement.processed",
        "education.audit.head",
        "residence_permit.settlement.processed",
        "residence_permit.permit.changed",
        "residence_permit.audit.head",
        "civil_affairs.settlement.processed",
        "civil_affairs.audit.head",
        "coordination.audit.head",
    )


def test_every_service_publishes_its_audit_head_and_the_office_reads_every_one() -> None:
    """四(四): the heads go to the coordination office, each on its service's own topic."""
    office = next(entry for entry in SERVICES if entry.name == "coordination")
    for entry in SERVICES:
        assert audit_head_type(entry.name) in entry.produces
        assert audit_head_type(entry.name) in office.consumes
        assert topic_of(audit_head_type(entry.name)) == f"{entry.name}.audit.head"
