"""The yearly settlement report per county (三(一) finance's transfer payments, 三(二) building
land): the people approved to settle, of whom rural-registered (农业转移人口), and the
residence-permit holders at the year's end (持有居住证人口), as JSON or CSV.

Nothing in it names or describes a person: counts per county, from the approvals' clear fields
and the permits' changes (`residence_permit.permit.changed`).
"""

from __future__ import annotations

import csv
import io
from datetime import date

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from services.coordination import statistics_schemas as out
from services.coordination.models import HeldPermit, PermitValidity
from services.coordination.settled_counts import CountySettled, settled_by_county
from services.coordination.statistics import CITY, CITY_NAME
from shared import clock, regions

CSV_COLUMNS = tuple(out.SettlementReportRow.model_fields)
UNKNOWN = "unknown"
"""A count the approvals did not give, in CSV (never written as 0)."""


def permit_holders(session: Session, day: date) -> dict[str, int]:
    """Per county, the permits valid on `day`: inside one of their years of validity and not
    yet closed (a permit closed on `day` is no longer held: its holder settled that day)."""
    rows = session.execute(
        select(HeldPermit.region_code, func.count(func.distinct(HeldPermit.permit_id)))
        .join(PermitValidity, PermitValidity.permit_id == HeldPermit.permit_id)
        .where(
            and_(PermitValidity.valid_from <= day, PermitValidity.valid_to >= day),
            or_(HeldPermit.closed_on.is_(None), HeldPermit.closed_on > day),
        )
        .group_by(HeldPermit.region_code)
    ).all()
    return {region_code: int(count) for region_code, count in rows}


def _row(code: str, name: str, settled: CountySettled, holders: int) -> out.SettlementReportRow:
    return out.SettlementReportRow(
        region_code=code,
        region_name=name,
        approved_settlements=settled.approvals,
        settled_persons=settled.persons,
        rural_registered_persons=settled.rural_known if settled.rural_unknown == 0 else None,
        rural_registered_persons_known=settled.rural_known,
        rural_registered_unknown_settlements=settled.rural_unknown,
        permit_holders=holders,
    )


def settlement_report(session: Session, year: int) -> out.SettlementReportOut:
    """Every county's year, and the city's as their sums (a count adds up)."""
    day = min(date(year, 12, 31), clock.today())
    settled = settled_by_county(session, year)
    holders = permit_holders(session, day)
    counties = [
        _row(code, name, settled.get(code, CountySettled()), holders.get(code, 0))
        for code, name in regions.SHAOGUAN_COUNTIES.items()
    ]
    city = CountySettled(
        approvals=sum(c.approved_settlements for c in counties),
        persons=sum(c.settled_persons for c in counties),
        rural_known=sum(c.rural_registered_persons_known for c in counties),
        rural_unknown=sum(c.rural_registered_unknown_settlements for c in counties),
    )
    return out.SettlementReportOut(
        year=year,
        permit_holders_on=day,
        counties=counties,
        city=_row(CITY, CITY_NAME, city, sum(c.permit_holders for c in counties)),
    )


def as_csv(report: out.SettlementReportOut) -> str:
    """The report as CSV: a header, one line per county, the city last; a count the approvals
    did not give is `unknown`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(("year", *CSV_COLUMNS, "permit_holders_on"))
    for row in (*report.counties, report.city):
        values = row.model_dump()
        writer.writerow(
            (
                report.year,
                *(UNKNOWN if values[c] is None else values[c] for c in CSV_COLUMNS),
                report.permit_holders_on.isoformat(),
            )
        )
    return buffer.getvalue()
