"""`luohu demo`: one family through the running platform, the way the departments would take it.

Public security submits and approves a family of three whose application leaves out facts some
departments need; each department acts on the approval by itself and says what it still needs;
each one's own official then supplies it through that department's information route, and the
family ends `settled`. Every step is printed, so a newcomer sees the whole job working.

The family is the README's, with identity numbers made afresh on each run (a person can be in
one open application only). The answers supplied are example facts for trying the platform.
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx

from shared.auth import sign_token
from shared.identity import make_id_number
from shared.keys import keyring_for
from shared.registry import SERVICES_BY_NAME
from shared.settings import Settings

ORIGIN = "441402"  # 梅州市梅江区: the family's registration before it settles
WUJIANG = "440203"  # 韶关市武江区: where it settles

EXAMPLE_ANSWERS: Mapping[str, Any] = {
    # What the family tells each department that asks (example facts, not anyone's real ones).
    "housing.monthly_household_income": 2400,
    "housing.current_area_m2": 0,
    "social_insurance.employer_paid": False,
    "social_insurance.medical_months": 12,
    "social_insurance.insured_region_code": WUJIANG,
}

Echo = Callable[[str], None]

ORIGIN_CONFIRMS_MONTHS = 24
"""What the family's origin answers each department that asks it to confirm a transfer."""


def family(rng: random.Random) -> dict[str, Any]:
    """The README's family: a couple and a school-age child, settling in 武江区 under 二.1,
    with no housing section (housing and civil affairs ask for the household's income)."""

    def person(born: date, female: bool) -> str:
        sequence = rng.randrange(0, 499) * 2 + (0 if female else 1)
        return make_id_number(ORIGIN, born.replace(day=rng.randint(1, 28)), sequence)

    return {
        "applicant": {
            "id_number": person(date(1988, 5, 1), female=False),
            "name": "张三",
            "hukou_region_code": ORIGIN,
            "hukou_type": "rural",
        },
        "channel": "stable_residence",
        "destination_region_code": WUJIANG,
        "received_on": "2019-06-01",
        "received_on_reason": "lodged on paper at the 武江 counter, entered later",
        "residence": {"address": "武江区沿江路 1 号", "tenure": "rented", "since": "2018-01-01"},
        "social_insurance": {
            "pension_months": 14,
            "medical_months": 14,
            "insured_region_code": WUJIANG,
            "employer_paid": True,
        },
        "household": [
            {
                "id_number": person(date(1990, 3, 1), female=True),
                "name": "李四",
                "relation": "spouse",
            },
            {
                "id_number": person(date(2012, 3, 1), female=True),
                "name": "张小",
                "relation": "child",
            },
        ],
    }


class Services:
    """The running services, each called with the token of the department that owns it,
    signed with that department's key from the platform's folder of keys (LUOHU_KEYS_DIR).

    With `patience`, a call that finds its service down (restarting) or answering 5xx is made
    again until that many seconds have passed: every write here carries an Idempotency-Key, so
    a retry after a crash gives the first answer and does nothing twice."""

    def __init__(self, settings: Settings, urls: Mapping[str, str], *, patience: float = 0) -> None:
        self.settings = settings
        self.keyring = keyring_for(settings)
        self.urls = urls
        self.patience = patience
        self.client = httpx.Client(timeout=10)

    def call(self, method: str, service: str, path: str, **kwargs: Any) -> httpx.Response:
        department = SERVICES_BY_NAME[service].department
        key = self.keyring.signing_key_of_department(department)
        token = sign_token(key, lifetime=600)
        headers = {"Authorization": f"Bearer {token}", **kwargs.pop("headers", {})}
        if method == "POST":
            headers.setdefault("Idempotency-Key", uuid.uuid4().hex)
        deadline = time.monotonic() + self.patience
        while True:
            try:
                answer = self.client.request(
                    method, self.urls[service] + path, headers=headers, **kwargs
                )
                if answer.status_code < 500 or time.monotonic() > deadline:
                    return answer
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
            time.sleep(0.5)

    def ok(self, method: str, service: str, path: str, **kwargs: Any) -> Any:
        answer = self.call(method, service, path, **kwargs)
        if answer.status_code >= 400:
            raise DemoFailed(f"{method} {service}{path}: {answer.status_code} {answer.text[:500]}")
        return answer.json()


class DemoFailed(RuntimeError):
    pass


def walk_through(
    services: Services, echo: Echo, *, seed: int | None = None, patience: float = 60
) -> list[dict[str, Any]]:
    """Take one family from submission to settled; the application as it stood after each
    round of reports (the first after approval, the last as it ends)."""
    rng = random.Random(seed)
    echo("1. 公安机关受理落户申请 (public security submits the family's application)")
    created = services.ok("POST", "hukou", "/v1/settlement-applications", json=family(rng))
    settlement_id = created["id"]
    echo(f"   application {settlement_id}: {created['status']}")
    echo("2. 审批通过 (approved): every department acts on settlement.approved by itself")
    services.ok("POST", "hukou", f"/v1/settlement-applications/{settlement_id}/approve")
    journey = follow_up(services, settlement_id, echo, patience=patience, step=3)
    if journey[-1]["status"] == "settled" and "coordination" in services.urls:
        the_office_sees(services, settlement_id, echo, patience=patience)
    return journey


def the_office_sees(
    services: Services, settlement_id: str, echo: Echo, *, patience: float = 60
) -> dict[str, Any]:
    """The coordination office's view of a settled family (四(一), 四(三)), once it has read
    every department's last report: it follows the events by itself, a moment behind hukou."""
    deadline = time.monotonic() + patience
    while True:
        answer = services.call("GET", "coordination", f"/v1/settlements/{settlement_id}")
        view: dict[str, Any] = answer.json() if answer.status_code == 200 else {}
        if view.get("status") == "settled":
            break
        if time.monotonic() > deadline:
            raise DemoFailed(f"the coordination office did not see it settled: {answer.text[:300]}")
        time.sleep(0.2)
    echo(
        f"协调机制 (the coordination office, 四(一)): {view['status']}, "
        f"{len(view['timeline'])} events in its timeline"
    )
    for part in view["departments"]:
        echo(f"   {part['service']:<18} {part['status']} (version {part['version']})")
    return view


def follow_up(
    services: Services, settlement_id: str, echo: Echo, *, patience: float = 60, step: int = 1
) -> list[dict[str, Any]]:
    """Once the departments have reported on an approved settlement, answer every item they
    ask the family about, round after round, until it is settled or nothing more can be
    answered; the application after each round."""
    shown = _until_reported(services, settlement_id, patience)
    _show(shown, echo)
    journey = [shown]
    while shown["status"] != "settled":
        owed = shown.get("fanout_open_items", {})
        answerable = {
            service: [item for item in items if item["field"] in EXAMPLE_ANSWERS]
            for service, items in owed.items()
        }
        confirmable = [
            (service, item)
            for service, items in owed.items()
            for item in items
            if (service, item["field"]) in CONFIRMATIONS
        ]
        if not any(answerable.values()) and not confirmable:
            if set(shown["fanout"].values()) == {"done"}:
                shown = _until_reported(services, settlement_id, patience, settled=True)
                journey.append(shown)
                continue
            echo("   nothing more this walk-through can supply: see the open items above")
            return journey
        expected: dict[str, set[tuple[int | None, str]]] = {}
        for service, item in confirmable:
            whose = f"member {item['member_index']}"
            echo(f"{step}. {service} hears back from elsewhere for {whose}: {item['field']}")
            step += 1
            CONFIRMATIONS[service, item["field"]](services, settlement_id, item["member_index"])
            record = services.ok("GET", service, f"/v1/settlements/{settlement_id}")
            expected[service] = _open(record["open_items"])
        for service, items in answerable.items():
            for member_index, facts in _facts_by_member(items).items():
                whose = "the household" if member_index is None else f"member {member_index}"
                echo(f"{step}. {service} receives from {whose}: {', '.join(facts)}")
                step += 1
                record = services.ok(
                    "POST",
                    service,
                    f"/v1/settlements/{settlement_id}/information",
                    json={"member_index": member_index, "facts": facts},
                )
                expected[service] = _open(record["open_items"])
        shown = _until_reported(services, settlement_id, patience, expected=expected)
        _show(shown, echo)
        journey.append(shown)
    echo(f"落户完成 (settled): every department is done for {settlement_id}")
    return journey


def _members_row(
    services: Services,
    service: str,
    settlement_id: str,
    rows: str,
    member_index: int,
    *,
    status: str | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The department's record of the settlement, and the member's one row of its collection
    `rows` (with that `status`, when one is given)."""
    record = services.ok("GET", service, f"/v1/settlements/{settlement_id}")
    (row,) = [
        r
        for r in record[rows]
        if r["member_index"] == member_index and (status is None or r["status"] == status)
    ]
    return record, row


@dataclass(frozen=True)
class _Answer:
    """An answer from elsewhere about one member, recorded on the department's own route (the
    open item of kind `confirmation` closes when the department decides again on it)."""

    service: str
    rows: str
    """The collection of the department's record that holds the member's row."""
    route: str
    """The route it is recorded on, its ids named as the row names them."""
    body: Callable[[dict[str, Any]], dict[str, Any] | None] = lambda record: None
    """What is recorded, from the department's record of the settlement."""
    status: str | None = None
    """The status of the member's row the answer is for, when the collection holds more."""

    def __call__(self, services: Services, settlement_id: str, member_index: int) -> None:
        record, row = _members_row(
            services, self.service, settlement_id, self.rows, member_index, status=self.status
        )
        services.ok("POST", self.service, self.route.format_map(row), json=self.body(record))


CONFIRMATIONS: Mapping[tuple[str, str], _Answer] = {
    # The origin's answer to a transfer.
    ("pension", "social_insurance.pension_months"): _Answer(
        "pension",
        "continuations",
        "/v1/continuations/{id}/confirmation",
        lambda _: {"months_carried_over": ORIGIN_CONFIRMS_MONTHS},
    ),
    ("medical_insurance", "medical_insurance.origin_confirmation"): _Answer(
        "medical_insurance",
        "entries",
        "/v1/transfers/{transfer_id}/confirmation",
        # Covered at the origin up to the settlement's date: the city's cover follows on.
        lambda record: {
            "outcome": "confirmed",
            "months": ORIGIN_CONFIRMS_MONTHS,
            "coverage_end": record["decision_date"],
        },
    ),
    # The receiving school's completion of a student-status transfer (no body).
    ("education", "student_transfer.completion"): _Answer(
        "education", "transfers", "/v1/student-transfers/{id}/completion", status="requested"
    ),
}


def _facts_by_member(items: list[dict[str, Any]]) -> dict[int | None, dict[str, Any]]:
    grouped: dict[int | None, dict[str, Any]] = {}
    for item in items:
        grouped.setdefault(item["member_index"], {})[item["field"]] = EXAMPLE_ANSWERS[item["field"]]
    return grouped


def _open(items: list[dict[str, Any]]) -> set[tuple[int | None, str]]:
    return {(item["member_index"], item["field"]) for item in items}


def _until_reported(
    services: Services,
    settlement_id: str,
    patience: float,
    expected: Mapping[str, set[tuple[int | None, str]]] | None = None,
    settled: bool = False,
) -> dict[str, Any]:
    """The application once no department is pending and hukou has heard each department's
    answer to what was supplied (`expected`: the items each then still had open), and, with
    `settled`, once hukou has settled it."""
    deadline = time.monotonic() + patience
    path = f"/v1/settlement-applications/{settlement_id}"
    while True:
        shown = services.ok("GET", "hukou", path)
        reported = "pending" not in shown["fanout"].values()
        heard = all(
            _open(shown["fanout_open_items"].get(service, [])) == items
            for service, items in (expected or {}).items()
        )
        if reported and heard and (shown["status"] == "settled" or not settled):
            return dict(shown)
        if time.monotonic() > deadline:
            raise DemoFailed(
                f"the departments did not report in {patience:.0f} s: {shown['fanout']}"
            )
        time.sleep(0.2)


def _show(shown: Mapping[str, Any], echo: Echo) -> None:
    echo(f"   application: {shown['status']}")
    for service, status in shown["fanout"].items():
        echo(f"   {service:<18} {status}")
        for item in shown.get("fanout_open_items", {}).get(service, []):
            whose = (
                "household" if item["member_index"] is None else f"member {item['member_index']}"
            )
            due = f", due {item['due_on']}" if item["due_on"] else ""
            echo(f"      needs {item['field']} ({item['kind']}, {whose}{due}): {item['reason']}")
