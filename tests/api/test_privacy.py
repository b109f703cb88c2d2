"""No full identity number leaves the platform, after flows that fail on purpose: not in its
logs, its spans, its dead letters' headers, its reports' summaries nor its error answers."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from services.hukou.app import build as build_hukou
from services.residence_permit.app import build as build_permits
from shared.events.envelope import CloudEvent, new_event
from shared.registry import SETTLEMENT_APPROVED
from shared.settings import Settings
from tests.api.conftest import application
from tests.api.hukou_support import APPLICATIONS, approve, submitted
from tests.settlements import settlement as approved_settlement
from tests.support import (
    WUJIANG,
    eventually,
    invalid,
    ok,
    outbox_reports,
    person_id,
    publish,
    quick_settings,
    read_topic,
    reports,
    token,
)

# A whole number: 17 digits and a check character, not inside a longer run of digits.
FULL_IDENTITY_NUMBER = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])")


@dataclass
class Platform:
    """hukou twice (first without its workers, so a department's failure reaches it before
    anything else does) and the residence permit service, on one event log."""

    settings: Settings
    hukou_quiet: FastAPI
    hukou: FastAPI
    permits: FastAPI
    spans: InMemorySpanExporter
    answers: list[httpx.Response] = field(default_factory=list)

    def answer(self, response: httpx.Response) -> httpx.Response:
        self.answers.append(response)
        return response


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[Platform]:
    # The apps are built here, before the test's log capture starts: building one configures
    # the process's logging, which would drop the capture's handler.
    settings = quick_settings(tmp_path / "var")
    quiet = settings.model_copy(update={"start_workers": False})
    apps = build_hukou(quiet), build_hukou(settings), build_permits(settings)
    provider = trace.get_tracer_provider()
    assert isinstance(provider, TracerProvider)
    exporter = InMemorySpanExporter()
    # Attached raw, as any exporter could be: what it sees is what the platform recorded.
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    yield Platform(settings, *apps, spans=exporter)
    exporter.shutdown()


def poisoned_approval(settlement_id: str, *, mix_up: bool) -> CloudEvent:
    """A `settlement.approved` no department can read, whose data carries identity numbers,
    so that pydantic's own text of the error would quote them: a member's identity number
    where its birth date belongs (`mix_up`), or a member without `sex` (the whole member)."""
    data = approved_settlement(settlement_id=settlement_id).model_dump(mode="json")
    spouse = data["members"][1]
    if mix_up:
        spouse["birth_date"] = spouse["id_number"]
    else:
        del spouse["sex"]
    return new_event(
        type_=SETTLEMENT_APPROVED, source="/luohu/hukou", subject=settlement_id, data=data
    )


def identity_numbers_in(text: str) -> list[str]:
    return FULL_IDENTITY_NUMBER.findall(text)


def span_texts(span: ReadableSpan) -> list[str]:
    texts = [span.name, span.status.description or ""]
    texts += [f"{key}={value}" for key, value in (span.attributes or {}).items()]
    for event in span.events:
        texts += [f"{key}={value}" for key, value in (event.attributes or {}).items()]
    return texts


def test_no_full_identity_number_leaves_the_platform_after_failing_flows(
    platform: Platform, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    settings = platform.settings
    officer = token(settings, "public_security")
    given: set[str] = set()

    with TestClient(platform.hukou_quiet) as hukou:
        # A bad identity number in a body: the check character is wrong.
        body = application()
        good = body["applicant"]["id_number"]
        wrong = good[:17] + ("0" if good[17] != "0" else "1")
        body["applicant"]["id_number"] = wrong
        refused = platform.answer(hukou.post(APPLICATIONS, headers=officer, json=body))
        assert "check character" in str(invalid(refused))

        # An identity number where a region code belongs: the reason quotes what it refused.
        body = application()
        echoed = person_id(date(1975, 5, 5))
        body["applicant"]["hukou_region_code"] = echoed
        refused = platform.answer(hukou.post(APPLICATIONS, headers=officer, json=body))
        assert "applicant.hukou_region_code" in {d["field"] for d in invalid(refused)}

        # A search by the person, in a body; and the same number tried in a URL, refused.
        approved = submitted(hukou, officer, application())
        approved_id = approved["id"]
        ok(approve(hukou, officer, approved_id))
        number = approved["household"][0]["id_number"]
        found = platform.answer(
            hukou.post(f"{APPLICATIONS}/search", headers=officer, json={"id_number": number})
        )
        assert [a["id"] for a in ok(found)["items"]] == [approved_id]
        in_url = platform.answer(
            hukou.get(APPLICATIONS, headers=officer, params={"id_number": number})
        )
        assert invalid(in_url)
        given |= {wrong, echoed, number, good}

    # The residence permit service: a bad number in a body, a search, and two approvals it
    # cannot read (polled as one batch), both dead-lettered and reported failed.
    poisoned = [
        poisoned_approval(approved_id, mix_up=True),
        poisoned_approval(str(uuid.uuid4()), mix_up=False),
    ]
    given |= {m["id_number"] for e in poisoned for m in e.get_data()["members"]}  # type: ignore[index]
    publish(settings, *poisoned)
    with TestClient(platform.permits) as permits:
        applied = {
            "id_number": wrong,
            "name": "张三",
            "hukou_region_code": "441402",
            "region_code": WUJIANG,
            "address": "武江区沿江路 1 号",
            "resident_since": "2020-01-01",
            "basis": "employment",
        }
        refused = platform.answer(
            permits.post("/v1/residence-permits", headers=officer, json=applied)
        )
        assert "check character" in str(invalid(refused))
        platform.answer(
            permits.post("/v1/residence-permits/search", headers=officer, json={"id_number": good})
        )
        dead_letters = eventually(
            lambda: (
                len(letters := read_topic(settings, "deadletter.residence_permit")) == 2 and letters
            ),
            what="both approvals dead-lettered",
        )
        eventually(
            lambda: len(reports(settings, "residence_permit", approved_id)) == 1,
            what="the failure reported",
        )
        summaries = [r for e in poisoned for r in outbox_reports(permits, str(e.get_subject()))]

    # hukou, with its workers now: it takes the failure into the application's fan-out.
    with TestClient(platform.hukou) as hukou:
        failed = eventually(
            lambda: (
                (a := ok(hukou.get(f"{APPLICATIONS}/{approved_id}", headers=officer)))["fanout"][
                    "residence_permit"
                ]
                == "failed"
                and a
            ),
            what="hukou to show residence_permit failed",
        )
        hukou_letters = read_topic(settings, "deadletter.hukou")  # the stray settlement's report
    assert "could not be processed" in failed["fanout_summaries"]["residence_permit"]

    # What left the platform, gathered: none of it holds a whole identity number.
    logs = [
        record.getMessage() + (record.exc_text or "")
        for record in caplog.records
        if not record.name.startswith("httpx")  # the test client's own log of what it sent
    ]
    texts = {
        "logs": logs,
        "spans": [
            text for span in platform.spans.get_finished_spans() for text in span_texts(span)
        ],
        "dead-letter headers": [
            f"{name}={value.decode(errors='replace')}"
            for letter in [*dead_letters, *hukou_letters]
            for name, value in letter.headers.items()
        ],
        "processed summaries": [str(summary) for summary in summaries],
        "fan-out": [str(failed["fanout_summaries"]), str(failed["fanout_open_items"])],
        # The answers that found someone show the people they found, as they should.
        "error answers": [answer.text for answer in platform.answers if answer.is_error],
    }
    assert texts["spans"] and texts["dead-letter headers"] and texts["logs"]
    assert len(texts["error answers"]) == 4
    assert {s["outcome"] for s in summaries} == {"failed"} and len(summaries) == 2
    leaks = {
        where: [n for text in found for n in identity_numbers_in(text)]
        for where, found in texts.items()
    }
    assert leaks == {where: [] for where in texts}, leaks
    everything = "\n".join(text for found in texts.values() for text in found)
    assert not [n for n in given if n in everything]
    # The redaction keeps what an operator needs: which parameter, and why it failed.
    assert any("id_number=redacted" in text for text in texts["spans"])
    errors = sorted(letter.headers["luohu-error"].decode() for letter in dead_letters)
    assert "members.1.birth_date" in errors[0] and "members.1.sex: Field required" in errors[1]
