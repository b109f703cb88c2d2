"""The work queue (`GET .../settlement-applications?sort=queue`): the applications waiting,
people already living in the city first (二.8: 优先解决流动人口存量问题), then the longest
waiting; each says why it stands where it does."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.conftest import application
from tests.api.hukou_support import (
    APPLICATIONS,
    HukouApiTests,
    ineligible_body,
    listed,
    submitted,
    undetermined_body,
)
from tests.support import Headers, invalid, reason_for

RECEIVED = "2019-06-01"  # the conftest application's received day


def resident_since(since: str, received_on: str = RECEIVED) -> dict[str, object]:
    body = application(received_on=received_on)
    body["residence"] = {"address": "武江区沿江路 1 号", "tenure": "rented", "since": since}
    return body


class TestWorkQueue(HukouApiTests):
    def test_people_already_living_here_come_first_then_the_longest_waiting(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        newcomer = submitted(hukou, officer, resident_since("2019-05-01", "2019-06-01"))
        stock_late = submitted(hukou, officer, resident_since("2018-12-01", "2019-06-01"))
        stock_early = submitted(hukou, officer, resident_since("2017-01-01", "2019-03-01"))

        page = listed(hukou, officer, sort="queue")

        assert [item["id"] for item in page["items"]] == [
            stock_early["id"],
            stock_late["id"],
            newcomer["id"],
        ]
        first, _, last = page["items"]
        assert first["queue"]["stock_first"] and "二.8" in first["queue"]["reason"]
        assert not last["queue"]["stock_first"] and "under 6 months" in last["queue"]["reason"]

    def test_half_a_year_to_the_day_is_already_living_here(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        day_short = submitted(hukou, officer, resident_since("2018-12-02"))
        to_the_day = submitted(hukou, officer, resident_since("2018-12-01"))

        assert to_the_day["queue"]["stock_first"]
        assert not day_short["queue"]["stock_first"]

    def test_only_the_waiting_applications_are_in_the_queue(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        eligible = submitted(hukou, officer, application())
        waiting = submitted(hukou, officer, undetermined_body())
        submitted(hukou, officer, ineligible_body())

        queued = {item["id"] for item in listed(hukou, officer, sort="queue")["items"]}

        assert queued == {eligible["id"], waiting["id"]}

    def test_the_list_is_newest_first_unless_asked(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        older = submitted(hukou, officer, resident_since("2017-01-01"))
        newer = submitted(hukou, officer, resident_since("2019-05-01"))

        assert [i["id"] for i in listed(hukou, officer)["items"]] == [newer["id"], older["id"]]

    def test_an_unknown_sort_is_422(self, hukou: TestClient, officer: Headers) -> None:
        response = hukou.get(APPLICATIONS, headers=officer, params={"sort": "oldest"})

        assert reason_for(invalid(response), "sort")
