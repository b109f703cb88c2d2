"""Benchmark: settlements approved and fanned out per second, approval-to-done latency, and the
bus alone as the ceiling, for each engine, in one run. Prints figures; asserts nothing.

    .venv/bin/python bench/run.py [--engines embedded kafka] [--settlements 2000]

Kafka needs the broker and PostgreSQL (`scripts/kafka.sh start`, `scripts/postgres.sh start`).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from shared.auth import issue_token  # noqa: E402
from shared.events.bus import Bus, Message  # noqa: E402
from shared.identity import make_id_number  # noqa: E402
from shared.keys import keyring_for  # noqa: E402
from shared.registry import DOWNSTREAM_SERVICES, SERVICE_PORTS  # noqa: E402
from shared.settings import Settings  # noqa: E402

EVENTS_PER_SETTLEMENT = 1 + len(DOWNSTREAM_SERVICES)  # the approval and each department's report

PARAMETERS = {
    "LUOHU_HOUSING_PARAMETERS": [
        {
            "name": "income_limit_per_capita",
            "value": 1500,
            "valid_from": "2017-01-01",
            "source": "benchmark fixture",
            "department": "housing",
        },
        {
            "name": "area_limit_per_capita",
            "value": 15,
            "valid_from": "2017-01-01",
            "source": "benchmark fixture",
            "department": "housing",
        },
        {
            "name": "rental_subsidy_amount_per_capita",
            "value": 300,
            "valid_from": "2017-01-01",
            "source": "benchmark fixture",
            "department": "housing",
        },
    ],
    "LUOHU_MEDICAL_INSURANCE_PARAMETERS": [
        {
            "name": "origin_confirmation_days",
            "value": 30,
            "valid_from": "2017-01-01",
            "source": "benchmark fixture",
            "department": "human_resources",
        },
    ],
    "LUOHU_PENSION_PARAMETERS": [
        {
            # The benchmark's families state no employment for the spouse: presumed resident.
            "name": "default_scheme_for_non_employed_adults",
            "value": "urban_rural_resident",
            "valid_from": "2017-01-01",
            "source": "benchmark fixture",
            "department": "human_resources",
        },
    ],
    "LUOHU_CIVIL_AFFAIRS_PARAMETERS": [
        {
            "name": "minimum_living_standard",
            "value": 800,
            "valid_from": "2017-01-01",
            "source": "benchmark fixture",
            "department": "civil_affairs",
        },
    ],
}


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


class Families:
    """Distinct, valid applicants settling alone, stating every fact each department needs.

    A spouse or a child brings facts the application cannot state (their own insurance, whether
    an employer pays for them): each department then asks for them, and the settlement waits for
    an official's answer, which is not what the benchmark measures."""

    def __init__(self) -> None:
        self.counter = 0
        self.lock = threading.Lock()

    def next(self) -> dict[str, Any]:
        with self.lock:
            self.counter += 1
            n = self.counter
        # Distinct people: (birth day, sequence) is a different pair for every n.
        days = 9000
        born = date.fromordinal(date(1960, 1, 1).toordinal() + n % days)
        seq = 2 * (n // days) + 1
        return {
            "applicant": {
                "id_number": make_id_number("441402", born, seq),
                "name": "申请人",
                "hukou_region_code": "441402",
                "hukou_type": "rural",
            },
            "channel": "stable_residence",
            "destination_region_code": "440203",
            "received_on": "2019-06-01",
            "received_on_reason": "lodged on paper, entered later",
            "residence": {"address": "武江区", "tenure": "rented", "since": "2018-01-01"},
            "social_insurance": {
                "pension_months": 14,
                "medical_months": 14,
                "insured_region_code": "440203",
                "employer_paid": True,
            },
            "household": [],
            "housing": {"monthly_household_income": 4000, "current_area_m2": 20},
        }


class Platform:
    def __init__(self, engine: str, postgres: str | None) -> None:
        self.engine = engine
        self.dir = Path(tempfile.mkdtemp(prefix=f"luohu-bench-{engine}-"))
        self.offset = self._free_offset()
        self.env = {
            **os.environ,
            "LUOHU_DATA_DIR": str(self.dir / "var"),
            "LUOHU_PORT_OFFSET": str(self.offset),
            "LUOHU_LOG_LEVEL": "WARNING",
            **{k: json.dumps(v) for k, v in PARAMETERS.items()},
        }
        self.args = ["run"]
        if engine == "kafka":
            self.env["LUOHU_BUS"] = "kafka"
            self.env["LUOHU_KAFKA_NAMESPACE"] = f"bench-{uuid.uuid4().hex[:8]}."
            assert postgres, "kafka runs on PostgreSQL: pass --postgres"
            self.args += [
                "--postgres",
                f"{postgres.rsplit('/', 1)[0]}/bench_{uuid.uuid4().hex[:8]}",
            ]
        # The platform's keys, made before it starts: public security's token is signed by one.
        settings = Settings(_env_file=None, data_dir=self.dir / "var")
        keyring_for(settings, create=True)
        self.headers = {"Authorization": f"Bearer {issue_token(settings, dept='public_security')}"}
        self.process: subprocess.Popen[bytes] | None = None

    @staticmethod
    def _free_offset() -> int:
        for offset in range(30000, 40000, 100):
            with socket.socket() as s:
                if all(
                    s.connect_ex(("127.0.0.1", p + offset)) != 0 for p in SERVICE_PORTS.values()
                ):
                    return offset
        raise RuntimeError("no free ports")

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{SERVICE_PORTS[service] + self.offset}"

    def __enter__(self) -> Platform:
        log = (self.dir / "platform.log").open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "shared.cli", *self.args],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=REPO,
            start_new_session=True,
        )
        deadline = time.monotonic() + 120
        while b"Ctrl-C stops" not in (self.dir / "platform.log").read_bytes():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((self.dir / "platform.log").read_text())
            time.sleep(0.2)
        return self

    def __exit__(self, *_: object) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=60)


def submit(http: httpx.Client, platform: Platform, families: Families) -> str:
    answer = http.post(
        f"{platform.url('hukou')}/v1/settlement-applications",
        json=families.next(),
        headers=platform.headers,
    )
    answer.raise_for_status()
    return str(answer.json()["id"])


def approve(http: httpx.Client, platform: Platform, settlement_id: str) -> None:
    http.post(
        f"{platform.url('hukou')}/v1/settlement-applications/{settlement_id}/approve",
        headers=platform.headers,
    ).raise_for_status()


def settled(http: httpx.Client, platform: Platform) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    page = 1
    while True:
        answer = http.get(
            f"{platform.url('hukou')}/v1/settlement-applications",
            params={"status": "settled", "page": page, "page_size": 200},
            headers=platform.headers,
        ).json()
        items += answer["items"]
        if len(items) >= answer["total"] or not answer["items"]:
            return items
        page += 1


def wait_settled(http: httpx.Client, platform: Platform, count: int, timeout: float) -> float:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        total = http.get(
            f"{platform.url('hukou')}/v1/settlement-applications",
            params={"status": "settled", "page_size": 1},
            headers=platform.headers,
        ).json()["total"]
        if total >= count:
            return time.monotonic()
        time.sleep(0.2)
    raise TimeoutError(f"only part of {count} settled within {timeout} s")


def end_to_end(
    platform: Platform, families: Families, count: int, clients: int
) -> dict[str, float]:
    """Sustained throughput: submit, then approve `count` settlements as fast as the
    platform takes them; the clock runs from the first approval to the last all-done."""
    with (
        httpx.Client(timeout=60, limits=httpx.Limits(max_connections=clients)) as http,
        ThreadPoolExecutor(clients) as pool,
    ):
        ids = list(pool.map(lambda _: submit(http, platform, families), range(count)))
        started = time.monotonic()
        list(pool.map(lambda s: approve(http, platform, s), ids))
        approved = time.monotonic()
        finished = wait_settled(http, platform, count, timeout=count * 2 + 60)
    return {
        "settlements": count,
        "approve_per_s": count / (approved - started),
        "end_to_end_per_s": count / (finished - started),
    }


def latency(
    platform: Platform, families: Families, rate: float, seconds: float
) -> dict[str, float]:
    """Approvals offered at a fixed rate (open loop); latency is settled_at - approved_at."""
    count = int(rate * seconds)
    with httpx.Client(timeout=60) as http, ThreadPoolExecutor(32) as pool:
        ids = list(pool.map(lambda _: submit(http, platform, families), range(count)))
        already = len(settled(http, platform))
        started = time.monotonic()
        futures = []
        for n, settlement_id in enumerate(ids):
            delay = started + n / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            futures.append(pool.submit(approve, http, platform, settlement_id))
        for future in futures:
            future.result()
        offered = count / (time.monotonic() - started)
        wait_settled(http, platform, already + count, timeout=seconds * 10 + 60)
        wanted = set(ids)
        samples = [
            (
                datetime.fromisoformat(i["settled_at"]) - datetime.fromisoformat(i["approved_at"])
            ).total_seconds()
            * 1000
            for i in settled(http, platform)
            if i["id"] in wanted
        ]
    return {
        "offered_per_s": offered,
        "p50_ms": percentile(samples, 50),
        "p95_ms": percentile(samples, 95),
        "p99_ms": percentile(samples, 99),
        "mean_ms": statistics.fmean(samples),
    }


def bus_alone(bus: Bus, count: int) -> float:
    """Produce and consume `count` events of settlement size with no database: events/s.

    The consumer joins its group before the clock starts (a Kafka group join takes seconds
    once per process lifetime, not per event).
    """
    topic = f"bench.{uuid.uuid4().hex[:8]}"
    value = b"x" * 1500
    bus.publish([Message(topic, "warm-up", value)])
    member = bus.consumer(group=f"bench-{uuid.uuid4().hex[:8]}", topics=[topic])
    while not (records := member.poll(max_records=1, timeout=1.0)):
        pass
    member.commit(records)
    started = time.monotonic()
    for start in range(0, count, 500):
        bus.publish([Message(topic, f"s{n}", value) for n in range(start, min(count, start + 500))])
    seen = 0
    while seen < count:
        records = member.poll(max_records=500, timeout=1.0)
        if records:
            member.commit(records)
        seen += len(records)
    elapsed = time.monotonic() - started
    member.close()
    return count / elapsed


def open_bus(engine: str) -> Bus:
    if engine == "kafka":
        from shared.events.kafka import KafkaBus

        settings = Settings()
        return KafkaBus(settings.kafka_bootstrap_servers, security=settings.kafka_security())
    from shared.events.embedded import EmbeddedBus

    return EmbeddedBus(Path(tempfile.mkdtemp()) / "events.db")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--engines", nargs="+", default=["embedded", "kafka"])
    parser.add_argument("--settlements", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--postgres", default=os.environ.get("LUOHU_TEST_POSTGRES"))
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores; {args.settlements} settlements of 3 people each")
    for engine in args.engines:
        bus = open_bus(engine)
        try:
            ceiling = bus_alone(bus, args.settlements * EVENTS_PER_SETTLEMENT)
        finally:
            bus.close()
        print(f"\n== {engine}")
        print(f"bus alone (produce+consume, no database): {ceiling:,.0f} events/s", flush=True)
        families = Families()
        with Platform(engine, args.postgres) as platform:
            throughput = end_to_end(platform, families, args.settlements, args.clients)
            events_per_s = throughput["end_to_end_per_s"] * EVENTS_PER_SETTLEMENT
            print(
                f"approvals accepted: {throughput['approve_per_s']:,.1f}/s; "
                f"settlements fanned out end to end: {throughput['end_to_end_per_s']:,.1f}/s "
                f"({events_per_s:,.0f} events/s, {events_per_s / ceiling:.1%} of the bus alone)",
                flush=True,
            )
            lat = latency(platform, families, args.rate, args.seconds)
            print(
                f"approval-to-all-done at {lat['offered_per_s']:.0f}/s offered: p50 "
                f"{lat['p50_ms']:.0f} ms, p95 {lat['p95_ms']:.0f} ms, p99 {lat['p99_ms']:.0f} ms",
                flush=True,
            )


if __name__ == "__main__":
    main()
