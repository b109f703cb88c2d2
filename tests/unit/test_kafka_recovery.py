"""A Kafka client that failed is not used again: after a broker restart kafka-python's producer
can stay stuck, every flush timing out, so the bus builds a new one on the next attempt (the
outbox still holds what was not sent, and sends it again).

No test here connects: kafka-python's producer and admin client are replaced by fakes."""

from __future__ import annotations

from typing import Any

import pytest
from kafka.errors import KafkaTimeoutError

from shared.events import kafka as kafka_engine
from shared.events.bus import BusUnavailable, Message
from shared.events.kafka import KafkaBus

TOPIC = "hukou.settlement.approved"


class StuckThenWorking:
    """Builds producers: the first one's flush times out for ever, the later ones deliver."""

    def __init__(self) -> None:
        self.built: list[StuckThenWorking.Producer] = []

    def __call__(self, **kwargs: Any) -> StuckThenWorking.Producer:
        producer = StuckThenWorking.Producer(stuck=not self.built)
        self.built.append(producer)
        return producer

    class Producer:
        def __init__(self, *, stuck: bool) -> None:
            self.stuck, self.sent, self.closed = stuck, 0, False

        def send(self, topic: str, **kwargs: Any) -> StuckThenWorking.Delivered:
            self.sent += 1
            return StuckThenWorking.Delivered()

        def flush(self, timeout: float) -> None:
            if self.stuck:
                raise KafkaTimeoutError("Timeout waiting for future")

        def close(self, **kwargs: Any) -> None:
            self.closed = True

    class Delivered:
        def get(self, timeout: float) -> None:
            return None


@pytest.fixture
def producers(monkeypatch: pytest.MonkeyPatch) -> StuckThenWorking:
    factory = StuckThenWorking()
    monkeypatch.setattr(kafka_engine, "KafkaProducer", factory)
    return factory


def message() -> Message:
    return Message(topic=TOPIC, key="s-1", value=b"{}")


def bus_with_topics() -> KafkaBus:
    bus = KafkaBus("127.0.0.1:9")
    bus._topics.add(TOPIC)  # the topic exists: no admin client is needed
    return bus


def test_a_producer_whose_flush_timed_out_is_closed_and_the_next_publish_uses_a_new_one(
    producers: StuckThenWorking,
) -> None:
    bus = bus_with_topics()
    with pytest.raises(BusUnavailable, match="publish failed"):
        bus.publish([message()])
    stuck = producers.built[0]
    assert stuck.closed, "the failed producer is closed"

    bus.publish([message()])

    assert len(producers.built) == 2, "a new producer was built for the second attempt"
    assert producers.built[1].sent == 1
    assert stuck.sent == 1, "the stuck producer was not used again"


def test_a_producer_that_delivers_is_kept(producers: StuckThenWorking) -> None:
    bus = bus_with_topics()
    with pytest.raises(BusUnavailable):
        bus.publish([message()])
    for _ in range(3):
        bus.publish([message()])
    assert len(producers.built) == 2
    assert producers.built[1].sent == 3


def test_an_admin_client_that_failed_is_not_used_again(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[object] = []

    class FailingAdmin:
        def __init__(self, **kwargs: Any) -> None:
            built.append(self)

        def close(self) -> None:
            pass

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise KafkaTimeoutError("Unable to bootstrap from 127.0.0.1:9")

    monkeypatch.setattr(kafka_engine, "KafkaAdminClient", FailingAdmin)
    monkeypatch.setattr(kafka_engine, "create_missing_topics", refuse)
    bus = KafkaBus("127.0.0.1:9")
    for _ in range(2):
        with pytest.raises(BusUnavailable, match="cannot create topics"):
            bus.ensure_topics([TOPIC])
    assert len(built) == 2, "each attempt after a failure builds a new admin client"
