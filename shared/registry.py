"""The one list of the platform's services and departments: everything else derives from it.

Ports (the contract's table), the scopes each department holds, the event types each service
consumes and produces, hukou's fan-out list, the Kafka topics and the deploy files are all
derived from, or checked against, the two tables below. A new department is one entry here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from shared.events.envelope import event_type, topic_of

SETTLEMENT_APPROVED = event_type("hukou", "settlement.approved")
PERMIT_CHANGED = event_type("residence_permit", "permit.changed")
"""A residence permit issued, endorsed or closed: its id, county and validity, no person's data
(the coordination office counts the holders per county for 三(一))."""


def processed_type(service: str) -> str:
    """The type of the report a department sends back on one settlement."""
    return event_type(service, "settlement.processed")


def audit_head_type(service: str) -> str:
    """The type of the head of its audit chain every service publishes to the coordination
    office (四(四), `shared.audit_heads`)."""
    return event_type(service, "audit.head")


@dataclass(frozen=True)
class ServiceEntry:
    """One service of the contract's table: who runs it, where, and what it speaks."""

    name: str
    port: int
    department: str
    title: str
    scopes: tuple[str, ...]
    """The scopes its routes check; its own department holds all of them."""
    follows_settlements: bool = False
    """Acts on every approved settlement and reports back (hukou's fan-out tracks it)."""
    approves_settlements: bool = False
    """Publishes the approvals and tracks every department's report on them (public security)."""
    observes_settlements: bool = False
    """Reads every approval and every department's report into a view of its own and decides
    nothing (the coordination office, 四(一)): hukou's fan-out never waits for it, and it is
    sealed nothing of the family."""
    receives: tuple[str, ...] = ()
    """What of `settlement.approved` is sealed to it beyond what every reader sees (PIPL art. 6,
    minimum necessary): `section` or `section.field`, `members.field` for every member's
    (shared/settlement.py reads them; docs/personal-data.md gives the table)."""
    publishes: tuple[str, ...] = ()
    """Event types it publishes beyond the settlement events (`produces` adds them)."""
    reads: tuple[str, ...] = ()
    """Event types it reads beyond the settlement events (`consumes` adds them)."""

    def __post_init__(self) -> None:
        if self.follows_settlements and not self.receives:
            raise ValueError(f"{self.name} follows settlements: say what of them it receives")
        if self.observes_settlements and (self.receives or self.follows_settlements):
            raise ValueError(f"{self.name} observes settlements: it receives none of the family")

    @property
    def consumes(self) -> tuple[str, ...]:
        """The event types it acts on."""
        return (*self._settlement_events_read(), *self.reads)

    def _settlement_events_read(self) -> tuple[str, ...]:
        if self.follows_settlements:
            return (SETTLEMENT_APPROVED,)
        if self.approves_settlements:
            return tuple(processed_type(s.name) for s in downstream())
        if self.observes_settlements:
            heads = tuple(audit_head_type(s.name) for s in SERVICES)
            return (SETTLEMENT_APPROVED, *(processed_type(s.name) for s in downstream()), *heads)
        return ()

    @property
    def produces(self) -> tuple[str, ...]:
        """The event types it publishes: its own part, what else it declares, and the head of its
        audit chain."""
        return (*self._settlement_events_published(), *self.publishes, audit_head_type(self.name))

    def _settlement_events_published(self) -> tuple[str, ...]:
        if self.follows_settlements:
            return (processed_type(self.name),)
        if self.approves_settlements:
            return (SETTLEMENT_APPROVED,)
        return ()

    @property
    def read_scopes(self) -> frozenset[str]:
        return frozenset(scope for scope in self.scopes if scope.endswith(":read"))

    @property
    def write_scope(self) -> str:
        """Its first `*:write` scope: what changes its own records (hukou's `settlement:write`)."""
        return next(scope for scope in self.scopes if scope.endswith(":write"))


# An identity number carries its holder's birth date and sex (GB 11643): whoever receives it is
# given those two as well, and nothing more is disclosed by it.
_IDENTIFIED = ("members.id_number", "members.relation", "members.birth_date", "members.sex")
_INSURED_MEMBERS = (*_IDENTIFIED, "members.previous_region_code")

SERVICES: tuple[ServiceEntry, ...] = (
    ServiceEntry(
        "hukou",
        8001,
        "public_security",
        "settlement applications, the eligibility decision, approval, fan-out status",
        (
            "settlement:read",
            "settlement:write",
            "settlement:approve",
            "target:write",
            "report:read",
        ),
        approves_settlements=True,
    ),
    ServiceEntry(
        "housing",
        8002,
        "housing",
        "housing security on the same terms as urban residents (三(五))",
        ("housing:read", "housing:write"),
        follows_settlements=True,
        receives=("residence.tenure", "residence.since", "residence.region_code", "housing"),
    ),
    ServiceEntry(
        "medical_insurance",
        8003,
        "human_resources",
        "transfer, continuation or enrollment per member (三(六))",
        ("medical:read", "medical:write"),
        follows_settlements=True,
        receives=(*_INSURED_MEMBERS, "members.previous_hukou_type", "social_insurance"),
    ),
    ServiceEntry(
        "pension",
        8004,
        "human_resources",
        "pension continuation per adult (三(七))",
        ("pension:read", "pension:write"),
        follows_settlements=True,
        receives=(*_INSURED_MEMBERS, "social_insurance"),
    ),
    ServiceEntry(
        "education",
        8005,
        "education",
        "school placement per child, student-status transfers, planning (三(八))",
        ("education:read", "education:write"),
        follows_settlements=True,
        receives=(*_IDENTIFIED, "members.name", "members.previous_region_code"),
    ),
    ServiceEntry(
        "residence_permit",
        8006,
        "public_security",
        "residence permits for everyone not settled, closed on settlement (三(九))",
        ("permit:read", "permit:write"),
        follows_settlements=True,
        receives=_IDENTIFIED,
        publishes=(PERMIT_CHANGED,),
    ),
    ServiceEntry(
        "civil_affairs",
        8007,
        "civil_affairs",
        "minimum living guarantee on the same terms as local residents (三(七))",
        ("minimum_living:read", "minimum_living:write"),
        follows_settlements=True,
        receives=("housing.monthly_household_income",),
    ),
    ServiceEntry(
        "coordination",
        8008,
        "coordination",
        "the coordination office: each family's progress across the bureaus (四(一), 四(三)), "
        "the audit chains' heads and the audit findings followed to closure (四(四))",
        ("coordination:read", "coordination:write", "finding:read", "finding:respond"),
        observes_settlements=True,
        reads=(PERMIT_CHANGED,),
    ),
)

SERVICES_BY_NAME: Mapping[str, ServiceEntry] = MappingProxyType({s.name: s for s in SERVICES})
SERVICE_PORTS: Mapping[str, int] = MappingProxyType({s.name: s.port for s in SERVICES})


def downstream() -> tuple[ServiceEntry, ...]:
    """The departments that act on every approved settlement, in the contract's order."""
    return tuple(s for s in SERVICES if s.follows_settlements)


DOWNSTREAM_SERVICES: tuple[str, ...] = tuple(s.name for s in downstream())
"""What hukou's fan-out waits for: a settlement is settled when all of these are done."""


def topics() -> tuple[str, ...]:
    """Every event topic the platform uses, in the order of the services that produce them."""
    produced = (type_ for service in SERVICES for type_ in service.produces)
    return tuple(dict.fromkeys(topic_of(type_) for type_ in produced))


def _every_read_scope() -> frozenset[str]:
    return frozenset(scope for service in SERVICES for scope in service.read_scopes)


def _observers_read_scopes() -> frozenset[str]:
    return frozenset(scope for s in SERVICES if s.observes_settlements for scope in s.read_scopes)


# What departments other than a service's own may do (docs/contract.md, "Services, ports, common
# endpoints"): public security, which leads the coordination mechanism (四(一) 市公安局牵头负责的
# 协调机制), reads every department's follow-through and the office's view of it; the coordination
# office reads everywhere and writes only its own records; audit (四(四)) reads everything and
# changes nothing but its own findings, which each department named answers (四(四) 审计监督,
# an extension: docs/contract.md "Differences"); the others read what they report on. Statistics
# alone records the counties' population figures the urbanisation rates are computed from (四(二),
# 市统计局牵头).
_FINDING_SCOPES = frozenset({"finding:read", "finding:respond"})
_GRANTS: Mapping[str, frozenset[str]] = {
    **{s.department: _FINDING_SCOPES for s in SERVICES},
    "public_security": frozenset(scope for s in downstream() for scope in s.read_scopes)
    | _observers_read_scopes()
    | _FINDING_SCOPES,
    "coordination": _every_read_scope(),
    "finance": frozenset({"report:read"}),
    "natural_resources": frozenset({"report:read"}),
    "statistics": frozenset({"report:read", "population:write"}),
    "agriculture": frozenset({"report:read"}),
    "audit": _every_read_scope() | {"audit:read", "finding:write"},
}


def _department_scopes() -> Mapping[str, frozenset[str]]:
    departments = dict.fromkeys([*(s.department for s in SERVICES), *_GRANTS])
    return MappingProxyType(
        {
            dept: frozenset(scope for s in SERVICES if s.department == dept for scope in s.scopes)
            | _GRANTS.get(dept, frozenset())
            for dept in departments
        }
    )


DEPARTMENT_SCOPES: Mapping[str, frozenset[str]] = _department_scopes()
"""What each department may do. A token never carries a scope its department lacks."""
