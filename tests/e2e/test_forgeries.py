"""The forgeries issue 11 found, replayed against the running platform on both engines.

A process outside the platform appends to the event log (a) a department's report with no
signature, (b) a report on another department's topic, signed by it, whose data names the
first, and (c) a `settlement.approved` public security never made, once under a key the
platform does not trust and once under housing's own. Nothing is applied; each is
dead-lettered with its reason."""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Iterator
from contextlib import closing
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from shared.events.bus import Bus, Message
from shared.events.deadletters import pending_dead_letters
from shared.events.embedded import EmbeddedBus
from shared.events.envelope import new_event, to_message
from shared.events.kafka import KafkaBus
from shared.events.signing import EventSigner
from shared.key_folder import init_keys
from shared.keys import keyring_for
from shared.registry import DOWNSTREAM_SERVICES, processed_type
from shared.settings import Settings
from tests.conftest import person_id
from tests.e2e.conftest import start_on
from tests.e2e.test_fanout import LOCAL_PARAMETERS, family_of_six, issue_permit, settle
from tests.platform_support import Platform
from tests.settlements import approval, member, settlement


def the_log(platform: Platform) -> Bus:
    """The platform's own event log, opened from outside it."""
    if platform.env.get("LUOHU_BUS") == "kafka":
        return KafkaBus(
            platform.env["LUOHU_KAFKA_BOOTSTRAP_SERVERS"],
            namespace=platform.env["LUOHU_KAFKA_NAMESPACE"],
        )
    return EmbeddedBus(platform.data_dir / "events.db")


def report(settlement_id: str, *, service: str, on_topic_of: str) -> Message:
    event = new_event(
        type_=processed_type(on_topic_of),
        source=f"/luohu/{on_topic_of}",
        subject=settlement_id,
        data={
            "settlement_id": settlement_id,
            "service": service,
            "outcome": "done",
            "summary": "done",
            "status": "done",
            "open_items": [],
            "version": 99,
        },
    )
    return to_message(event, key=settlement_id)


def letters(log: Bus, consumer: str) -> list[str]:
    return [letter.error for letter in pending_dead_letters(log, consumer)]


@pytest.fixture(params=["embedded", "kafka"])
def running(request: pytest.FixtureRequest, platform: Platform) -> Iterator[Platform]:
    for variable, parameters in LOCAL_PARAMETERS.items():
        platform.env[variable] = json.dumps(parameters)
    start_on(platform, request.param, "forgeries")
    yield platform


def test_no_forgery_is_applied_and_each_is_dead_lettered_with_its_reason(
    running: Platform,
) -> None:
    platform = running
    keys = keyring_for(platform.settings())
    outsider = Path(tempfile.mkdtemp(prefix="luohu-outsider-keys-"))
    init_keys(outsider, only=("hukou",))
    untrusted = keyring_for(Settings(_env_file=None, keys_dir=outsider))  # type: ignore[call-arg]

    with httpx.Client(timeout=10) as http:
        permit_holder = person_id(date(1985, 7, 7))
        permit_id = issue_permit(http, platform, permit_holder, "赵六")
        settlement_id = settle(http, platform, family_of_six())

        def application() -> dict[str, Any]:
            answer = http.get(
                f"{platform.url('hukou')}/v1/settlement-applications/{settlement_id}",
                headers=platform.headers(),
            )
            return dict(answer.json())

        deadline = time.monotonic() + 60
        while "pending" in application()["fanout"].values():
            assert time.monotonic() < deadline, application()["fanout"]
            time.sleep(0.2)
        before = application()
        # A department the family still owes something: a forged `done` would settle it.
        victim = next(s for s, status in before["fanout"].items() if status == "action_needed")
        other = "education" if victim != "education" else "housing"

        holder = member(date(1985, 7, 7), "applicant", id_number=permit_holder)
        never_approved = settlement(members=[holder])
        forged_approval = to_message(approval(never_approved), key=never_approved.settlement_id)
        with closing(the_log(platform)) as log:
            log.publish(
                [
                    report(settlement_id, service=victim, on_topic_of=victim),  # (a)
                    EventSigner(keys, other).sign(
                        report(settlement_id, service=victim, on_topic_of=other)
                    ),  # (b)
                    EventSigner(untrusted, "hukou").sign(forged_approval),  # (c)
                    EventSigner(keys, "housing").sign(
                        Message(forged_approval.topic, forged_approval.key, forged_approval.value)
                    ),  # (c) under a trusted key that may not approve
                ]
            )
            deadline = time.monotonic() + 90
            while True:
                hukou_letters = letters(log, "hukou")
                department_letters = {s: letters(log, s) for s in DOWNSTREAM_SERVICES}
                if len(hukou_letters) >= 2 and all(
                    len(found) >= 2 for found in department_letters.values()
                ):
                    break
                assert time.monotonic() < deadline, (hukou_letters, department_letters)
                time.sleep(1)

        after = application()
        assert after["fanout"] == before["fanout"], "no forged report moved the fan-out"
        assert after["status"] == before["status"] == "approved"
        for service in DOWNSTREAM_SERVICES:
            answer = http.get(
                f"{platform.url(service)}/v1/settlements/{never_approved.settlement_id}",
                headers=platform.headers(),
            )
            assert answer.status_code == 404, f"{service} acted on a forged approval"
        still = http.get(
            f"{platform.url('residence_permit')}/v1/residence-permits/{permit_id}",
            headers=platform.headers(),
        )
        assert still.json()["status"] != "closed", "a real person's permit was closed"

    assert any("rejected: the event is not signed" in e for e in hukou_letters)
    assert any("a department reports only on its own topic" in e for e in hukou_letters)
    for service, found in department_letters.items():
        assert any("which the trust bundle does not hold" in e for e in found), (service, found)
        assert any("signed by housing: only hukou may publish it" in e for e in found), found
    assert platform.stop() == 0
