"""Residence registration (居住登记) of the floating population: registering, moving, ending,
and the registered residence a permit application counts (三(九) "完善流动人口居住登记管理";
广东省流动人口服务管理条例 第四条, 第七条)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.residence_permit.rules.national import CLAUSE
from services.residence_permit.rules.provincial import (
    FLOATING_POPULATION,
    GD_ART_2,
    GD_ART_7,
    is_registered_in_shaoguan,
)


@dataclass(frozen=True)
class Address:
    """Where a registration places the person from `since` (the registration or a move)."""

    since: date
    region_code: str
    address: str


@dataclass(frozen=True)
class Stay:
    """One registration as the rules read it: registered, moved (each address from its day),
    and perhaps ended; in force from `registered_on` to the day before `ended_on`."""

    registration_id: str
    registered_on: date
    addresses: tuple[Address, ...]
    ended_on: date | None = None

    def in_force_on(self, day: date) -> bool:
        return self.registered_on <= day and (self.ended_on is None or day < self.ended_on)

    def address_on(self, day: date) -> Address:
        """The address in force on `day` (the first one before the registration began)."""
        current = self.addresses[0]
        for address in self.addresses:
            if address.since <= day:
                current = address
        return current

    @property
    def last_change(self) -> date:
        """The day of the registration or of its latest move."""
        return self.addresses[-1].since


@dataclass(frozen=True)
class RegisteredResidence:
    """The unbroken registered residence in Shaoguan on a day: since when, and where."""

    since: date
    region_code: str
    registration_id: str


@dataclass(frozen=True)
class Refusal:
    """A registration, move or end refused: 422 naming `field`, or 409 (`conflict`) when the
    registration's state, not the request, is the cause."""

    reason: str
    field: str | None = None
    conflict: bool = False
    regulation: str = GD_ART_7
    clause: str = CLAUSE


def refuse_registration(
    *,
    hukou_region_code: str,
    registered_on: date,
    birth_date: date,
    previous_ended_on: date | None,
) -> Refusal | None:
    """Only the floating population is registered (广东省流动人口服务管理条例 第二条): a person
    whose household registration is in Shaoguan is not. Residence begins no earlier than birth,
    nor before the person's previous registration ended."""
    if is_registered_in_shaoguan(hukou_region_code):
        return Refusal(
            f"the household registration {hukou_region_code} is in Shaoguan: residence "
            f"registration is for the floating population, {FLOATING_POPULATION} ({GD_ART_2}); "
            "moving between Shaoguan's counties crosses no city",
            field="hukou_region_code",
            regulation=GD_ART_2,
        )
    if registered_on < birth_date:
        return Refusal(
            f"residence cannot begin ({registered_on.isoformat()}) before the person was born "
            f"({birth_date.isoformat()}, from the identity number)",
            field="registered_on",
        )
    if previous_ended_on is not None and registered_on < previous_ended_on:
        return Refusal(
            f"the person's previous registration ended on {previous_ended_on.isoformat()}: a "
            "new one begins on or after that day (one registration at a time)",
            field="registered_on",
        )
    return None


def refuse_move(stay: Stay, *, moved_on: date, region_code: str, address: str) -> Refusal | None:
    """A move (居住变更登记, 第七条) of a registration in force, to a new address, dated on or
    after the registration's last change."""
    if stay.ended_on is not None:
        return Refusal(
            f"the registration ended on {stay.ended_on.isoformat()}: a new residence is "
            "registered afresh, not moved",
            conflict=True,
        )
    if moved_on < stay.last_change:
        return Refusal(
            f"moved_on {moved_on.isoformat()} precedes the registration's last change on "
            f"{stay.last_change.isoformat()}",
            field="moved_on",
        )
    current = stay.addresses[-1]
    if (current.region_code, current.address) == (region_code, address):
        return Refusal("the registration is already at this address", field="address")
    return None


def refuse_end(stay: Stay, *, ended_on: date) -> Refusal | None:
    """Ending a registration in force (the person left), on or after its last change."""
    if stay.ended_on is not None:
        return Refusal(
            f"the registration already ended on {stay.ended_on.isoformat()}", conflict=True
        )
    if ended_on < stay.last_change:
        return Refusal(
            f"ended_on {ended_on.isoformat()} precedes the registration's last change on "
            f"{stay.last_change.isoformat()}",
            field="ended_on",
        )
    return None


def registered_residence(stays: tuple[Stay, ...], on: date) -> RegisteredResidence | None:
    """The registered residence on `on`: the registration in force that day, and since when
    residence runs unbroken, through earlier registrations ending the day the next began.

    A move between Shaoguan's counties keeps the registration, so residence in the city runs
    on (居住证暂行条例 第二条 counts "到其他城市居住半年以上": in the city, not the county)."""
    current = next((stay for stay in stays if stay.in_force_on(on)), None)
    if current is None:
        return None
    since = current.registered_on
    for stay in sorted(stays, key=lambda s: s.registered_on, reverse=True):
        if stay.ended_on is not None and stay.registered_on < since <= stay.ended_on:
            since = stay.registered_on
    return RegisteredResidence(
        since=since,
        region_code=current.address_on(on).region_code,
        registration_id=current.registration_id,
    )
