"""Each department reads only its own part of `settlement.approved` (docs/personal-data.md)."""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path
from typing import Any

import pytest

from shared.events.sealing import SEALED, CannotOpen, open_section, seal
from shared.key_folder import init_keys, retire_keys, rotate_key
from shared.keys import Keyring, keyring_for
from shared.registry import DOWNSTREAM_SERVICES, SERVICES_BY_NAME
from shared.settings import Settings
from shared.settlement import CLEAR, RECEIVES, SettlementApproved, sealed_data
from tests.settlements import settlement_in_full
from tests.support import session_keys

DOC = Path(__file__).parents[2] / "docs" / "personal-data.md"


def whole() -> dict[str, Any]:
    return settlement_in_full().model_dump(mode="json")


@pytest.fixture(scope="module")
def keyring() -> Keyring:
    return keyring_for(Settings(keys_dir=session_keys()))


def fields_of(section: dict[str, Any]) -> set[str]:
    """`section`'s fields as the registry names them: `members.x`, `housing.y`, or `housing`."""
    named: set[str] = set()
    for name, value in section.items():
        if name == "members":
            named |= {f"members.{field}" for member in value for field in member}
        elif isinstance(value, dict):
            named |= {f"{name}.{field}" for field in value}
        else:
            named.add(name)
    return named


def expanded(paths: tuple[str, ...], data: dict[str, Any]) -> set[str]:
    """The registry's paths with each whole section spelt out field by field."""
    return fields_of({path: data[path] for path in paths if "." not in path}) | {
        path for path in paths if "." in path
    }


@pytest.mark.parametrize("service", DOWNSTREAM_SERVICES)
def test_each_department_opens_exactly_what_the_registry_says_it_receives(
    service: str, keyring: Keyring
) -> None:
    data = whole()
    opened = open_section(sealed_data(data, keyring.bundle()), keyring, service)

    clear = {name: data[name] for name in CLEAR}
    assert {name: opened[name] for name in CLEAR} == clear
    own = {name: value for name, value in opened.items() if name not in CLEAR}
    assert fields_of(own) == expanded(SERVICES_BY_NAME[service].receives, data)
    # What it opens is the settlement as hukou wrote it, for those fields.
    if "members" in own:
        for kept, member in zip(own["members"], data["members"], strict=True):
            assert kept == {field: member[field] for field in kept}
    SettlementApproved.model_validate(opened)  # and it reads as the shared model


def test_nothing_personal_is_in_clear_on_the_wire(keyring: Keyring) -> None:
    data = whole()
    wire = json.dumps(sealed_data(data, keyring.bundle()), ensure_ascii=False)

    assert set(json.loads(wire)) == {*CLEAR, SEALED}
    personal = [
        *(m[field] for m in data["members"] for field in ("id_number", "name")),
        data["destination_address"],
        data["residence"]["address"],
        "4321.5",
    ]
    for value in personal:
        assert value not in wire


@pytest.mark.parametrize("reader", DOWNSTREAM_SERVICES)
def test_no_department_opens_another_departments_section(reader: str, keyring: Keyring) -> None:
    sealed = sealed_data(whole(), keyring.bundle())
    own_kid = sealed[SEALED][reader]["kid"]
    for other in DOWNSTREAM_SERVICES:
        if other == reader:
            continue
        # Another's box handed over as the reader's own, under the reader's key id.
        stolen = {**sealed, SEALED: {reader: {"kid": own_kid, "box": sealed[SEALED][other]["box"]}}}
        with pytest.raises(CannotOpen, match=f"does not open with key {own_kid}"):
            open_section(stolen, keyring, reader)
        # And the other's box as it is names a key the reader does not hold for itself.
        with pytest.raises(CannotOpen, match="not held here"):
            open_section({**sealed, SEALED: {reader: sealed[SEALED][other]}}, keyring, reader)


def test_a_service_without_a_section_or_an_unsealed_event_is_refused(keyring: Keyring) -> None:
    sealed = sealed_data(whole(), keyring.bundle())
    without = {**sealed, SEALED: {k: v for k, v in sealed[SEALED].items() if k != "education"}}
    with pytest.raises(CannotOpen, match="no section sealed to education"):
        open_section(without, keyring, "education")
    with pytest.raises(CannotOpen, match="not sealed"):
        open_section(whole(), keyring, "education")


def test_a_box_altered_on_the_way_does_not_open(keyring: Keyring) -> None:
    sealed = sealed_data(whole(), keyring.bundle())
    box = sealed[SEALED]["pension"]["box"]
    flipped = box[:20] + ("A" if box[20] != "A" else "B") + box[21:]
    altered = {**sealed, SEALED: {"pension": {**sealed[SEALED]["pension"], "box": flipped}}}
    with pytest.raises(CannotOpen, match="does not open"):
        open_section(altered, keyring, "pension")


def test_a_section_may_not_shadow_a_clear_field(keyring: Keyring) -> None:
    with pytest.raises(ValueError, match="settlement_id"):
        seal({"settlement_id": "a"}, {"housing": {"settlement_id": "b"}}, keyring.bundle())


def test_after_a_rotation_what_was_sealed_to_the_old_key_opens_until_it_is_retired(
    tmp_path: Path,
) -> None:
    init_keys(tmp_path)
    keyring = keyring_for(Settings(keys_dir=tmp_path))
    before = sealed_data(whole(), keyring.bundle())

    new_kid = rotate_key(tmp_path, "education")
    after = sealed_data(whole(), keyring.bundle())

    assert after[SEALED]["education"]["kid"] == new_kid != before[SEALED]["education"]["kid"]
    for data in (before, after):
        assert open_section(data, keyring, "education")["members"]
    retire_keys(tmp_path, "education")
    with pytest.raises(CannotOpen, match="not held here"):
        open_section(before, keyring, "education")
    assert open_section(after, keyring, "education")["members"]


def test_every_path_the_registry_names_exists_and_none_repeats_a_clear_field() -> None:
    assert set(RECEIVES) == set(DOWNSTREAM_SERVICES)
    for service, paths in RECEIVES.items():
        assert len(set(paths)) == len(paths), service
        assert not {path.partition(".")[0] for path in paths} & set(CLEAR), service


def test_every_documented_row_is_the_registrys() -> None:
    rows = re.findall(r"^\| (\w+) \| ([a-z_., ]+) \|$", DOC.read_text(encoding="utf-8"), re.M)
    documented = {name: tuple(paths.split(", ")) for name, paths in rows if name != "service"}
    assert documented  # the table is there, and it says what the registry says
    assert documented == {name: RECEIVES[name] for name in documented}


@pytest.mark.parametrize("service", DOWNSTREAM_SERVICES)
def test_each_departments_openapi_description_says_what_it_receives(service: str) -> None:
    spec = importlib.import_module(f"services.{service}.app").SPEC
    for path in RECEIVES[service]:
        assert f"`{path}`" in spec.description
