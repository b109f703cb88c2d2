"""The hukou API: listing applications, filtered and paged; an Idempotency-Key on submit."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import application
from tests.api.hukou_support import (
    APPLICATIONS,
    QUJIANG,
    ZHENJIANG,
    HukouApiTests,
    approve,
    assert_nothing_written,
    ids,
    ineligible_body,
    listed,
    searched,
    submit,
    submitted,
    undetermined_body,
    wrong_check_character,
)
from tests.support import WUJIANG, Headers, error_of, invalid, ok, person_id, reason_for


class TestList(HukouApiTests):
    def test_an_empty_register_lists_nothing(self, hukou: TestClient, officer: Headers) -> None:
        page = listed(hukou, officer)

        assert page == {"items": [], "total": 0, "page": 1, "page_size": 50}

    def test_filtering_by_status(self, hukou: TestClient, officer: Headers) -> None:
        eligible = submitted(hukou, officer, application())
        ineligible = submitted(hukou, officer, ineligible_body())
        undetermined = submitted(hukou, officer, undetermined_body())

        assert ids(listed(hukou, officer, status="eligible")) == {eligible["id"]}
        assert ids(listed(hukou, officer, status="ineligible")) == {ineligible["id"]}
        assert ids(listed(hukou, officer, status="submitted")) == {undetermined["id"]}
        assert listed(hukou, officer, status="approved")["total"] == 0

    def test_an_unknown_status_is_422(self, hukou: TestClient, officer: Headers) -> None:
        response = hukou.get(APPLICATIONS, headers=officer, params={"status": "pending"})

        assert reason_for(invalid(response), "status")

    def test_filtering_by_destination(self, hukou: TestClient, officer: Headers) -> None:
        wujiang = submitted(hukou, officer, application())
        zhenjiang = submitted(hukou, officer, application(destination_region_code=ZHENJIANG))

        assert ids(listed(hukou, officer, destination_region_code=WUJIANG)) == {wujiang["id"]}
        assert ids(listed(hukou, officer, destination_region_code=ZHENJIANG)) == {zhenjiang["id"]}
        assert listed(hukou, officer, destination_region_code=QUJIANG)["total"] == 0

    @pytest.mark.parametrize("destination", ["440300", "4402", "abcdef"])
    def test_a_destination_outside_shaoguan_is_422(
        self, hukou: TestClient, officer: Headers, destination: str
    ) -> None:
        response = hukou.get(
            APPLICATIONS, headers=officer, params={"destination_region_code": destination}
        )

        assert "Shaoguan" in reason_for(invalid(response), "destination_region_code")

    def test_filtering_by_channel(self, hukou: TestClient, officer: Headers) -> None:
        stable = submitted(hukou, officer, application())
        talent = submitted(
            hukou, officer, application(channel="talent", talent={"category": "skilled_worker"})
        )

        assert ids(listed(hukou, officer, channel="talent")) == {talent["id"]}
        assert ids(listed(hukou, officer, channel="stable_residence")) == {stable["id"]}
        assert listed(hukou, officer, channel="rural_student")["total"] == 0

    def test_filtering_by_the_day_received_includes_both_ends(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        early, middle, late = (
            submitted(hukou, officer, application(received_on=day))["id"]
            for day in ("2019-01-15", "2019-06-01", "2020-03-01")
        )

        assert ids(listed(hukou, officer, submitted_from="2019-06-01")) == {middle, late}
        assert ids(listed(hukou, officer, submitted_to="2019-06-01")) == {early, middle}
        window = listed(hukou, officer, submitted_from="2019-01-16", submitted_to="2020-02-29")
        assert ids(window) == {middle}

    def test_a_household_members_number_finds_the_application(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        wanted = submitted(hukou, officer, application())
        submitted(hukou, officer, application())

        for person in (wanted["applicant"], *wanted["household"]):
            assert ids(searched(hukou, officer, id_number=person["id_number"])) == {wanted["id"]}
        stranger = person_id(date(1970, 1, 1))
        assert searched(hukou, officer, id_number=stranger)["total"] == 0

    def test_a_search_takes_the_lists_filters_and_paging_too(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        wanted = submitted(hukou, officer, application())
        number = wanted["applicant"]["id_number"]

        assert searched(hukou, officer, id_number=number, status="eligible")["total"] == 1
        assert searched(hukou, officer, id_number=number, status="approved")["total"] == 0
        assert ids(searched(hukou, officer, status="eligible")) == {wanted["id"]}
        response = hukou.post(
            f"{APPLICATIONS}/search", headers=officer, params={"page_size": 1}, json={}
        )
        assert ok(response)["page_size"] == 1

    def test_an_identity_number_in_the_url_is_refused_not_ignored(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        submitted(hukou, officer, application())
        number = person_id(date(1970, 1, 1))

        response = hukou.get(APPLICATIONS, headers=officer, params={"id_number": number})

        assert "POST body" in reason_for(invalid(response), "id_number")
        assert number not in response.text

    def test_an_invalid_id_number_filter_is_422(self, hukou: TestClient, officer: Headers) -> None:
        number = wrong_check_character(person_id(date(1970, 1, 1)))

        response = hukou.post(f"{APPLICATIONS}/search", headers=officer, json={"id_number": number})

        assert "check character" in reason_for(invalid(response), "id_number")

    def test_a_search_refuses_an_unknown_filter(self, hukou: TestClient, officer: Headers) -> None:
        response = hukou.post(f"{APPLICATIONS}/search", headers=officer, json={"idnumber": "1"})

        assert reason_for(invalid(response), "idnumber")

    def test_pages_split_the_list_newest_first_and_total_counts_all(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        created = [submitted(hukou, officer, application())["id"] for _ in range(5)]

        pages = [listed(hukou, officer, page=n, page_size=2) for n in (1, 2, 3, 4)]

        assert [page["total"] for page in pages] == [5, 5, 5, 5]
        assert [(page["page"], page["page_size"]) for page in pages] == [
            (1, 2),
            (2, 2),
            (3, 2),
            (4, 2),
        ]
        assert [len(page["items"]) for page in pages] == [2, 2, 1, 0]
        in_order = [item["id"] for page in pages for item in page["items"]]
        assert in_order == list(reversed(created))

    @pytest.mark.parametrize(
        "params", [{"page_size": 0}, {"page_size": 500}, {"page_size": 201}, {"page": 0}]
    )
    def test_a_page_out_of_range_is_422(
        self, hukou: TestClient, officer: Headers, params: dict[str, int]
    ) -> None:
        response = hukou.get(APPLICATIONS, headers=officer, params=params)

        (field,) = params
        assert reason_for(invalid(response), field)

    def test_two_hundred_is_the_largest_page(self, hukou: TestClient, officer: Headers) -> None:
        assert listed(hukou, officer, page_size=200)["page_size"] == 200


# --- Idempotency-Key ---------------------------------------------------------------------------


class TestIdempotency(HukouApiTests):
    @pytest.fixture
    def keyed(self, officer: Headers) -> Headers:
        """The officer's headers with an Idempotency-Key, as an intake system sends them."""
        return {**officer, "Idempotency-Key": "intake-2019-0001"}

    def test_the_same_key_and_body_answer_the_first_answer_and_create_nothing_new(
        self, hukou: TestClient, officer: Headers, keyed: Headers
    ) -> None:
        body = application()

        first = submit(hukou, keyed, body)
        second = submit(hukou, keyed, body)

        assert first.status_code == second.status_code == 201
        assert second.json() == first.json()
        assert listed(hukou, officer)["total"] == 1

    def test_a_replay_is_not_refused_as_a_second_application_of_its_people(
        self, hukou: TestClient, officer: Headers, keyed: Headers
    ) -> None:
        body = application()
        first = submitted(hukou, keyed, body)
        approve(hukou, officer, first["id"])

        replayed = submit(hukou, keyed, body)

        assert replayed.status_code == 201
        assert replayed.json()["id"] == first["id"]
        assert listed(hukou, officer)["total"] == 1

    def test_the_same_key_with_another_body_is_409(
        self, hukou: TestClient, officer: Headers, keyed: Headers
    ) -> None:
        first = submitted(hukou, keyed, application())

        error = error_of(submit(hukou, keyed, application()), 409, "conflict")

        assert error["details"][0]["field"] == "Idempotency-Key"
        assert ids(listed(hukou, officer)) == {first["id"]}

    def test_different_keys_create_different_applications(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        one = submitted(hukou, {**officer, "Idempotency-Key": "a"}, application())
        two = submitted(hukou, {**officer, "Idempotency-Key": "b"}, application())

        assert one["id"] != two["id"]
        assert listed(hukou, officer)["total"] == 2

    def test_a_refused_request_does_not_use_up_its_key(
        self, hukou: TestClient, keyed: Headers
    ) -> None:
        invalid(submit(hukou, keyed, application(destination_region_code="440300")))

        assert submitted(hukou, keyed, application())["status"] == "eligible"

    def test_an_overlong_key_is_422(self, hukou: TestClient, officer: Headers) -> None:
        headers = {**officer, "Idempotency-Key": "k" * 201}

        details = invalid(submit(hukou, headers, application()))

        assert reason_for(details, "Idempotency-Key")
        assert_nothing_written(hukou, officer)

    # Keys of different departments cannot collide on this route: only public_security holds
    # settlement:write (shared/auth.py), so no second department can use a key here.
