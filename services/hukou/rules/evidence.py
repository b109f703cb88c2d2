"""Residence permits as evidence of the residence an application declares (三(九), 二.1)."""

from __future__ import annotations

from collections.abc import Sequence

from services.hukou.domain import ApplicationFacts
from shared.parameters import Parameter
from shared.rules import Check, passed, undetermined

RULE = "residence.permit_evidence"
CLAUSE = "三(九)"


def check_permit_evidence(
    facts: ApplicationFacts, parameters: Sequence[Parameter] = ()
) -> tuple[Check, ...]:
    """Compare the declared residence start with the applicant's residence permit history.

    A permit is not required to settle, so no permit on record passes; a history that
    contradicts the declaration needs a case worker, so it is undetermined, never a refusal.
    """
    history, residence = facts.permit_history, facts.residence
    if history is None or residence is None:
        return ()
    if not history.available:
        return (
            undetermined(
                RULE,
                CLAUSE,
                "The residence permit service did not answer, so the declared residence "
                f"start ({residence.since.isoformat()}) could not be checked against the "
                "applicant's permit history; reassess the application once it answers.",
                ("residence_permit_history",),
            ),
        )
    earliest = history.earliest_resident_since
    if earliest is None:
        return (
            passed(
                RULE,
                CLAUSE,
                "No residence permit is on record for the applicant; the declared residence "
                "start rests on the application (a permit is not a condition of settlement).",
            ),
        )
    if residence.since < earliest:
        return (
            undetermined(
                RULE,
                CLAUSE,
                f"The application declares residence since {residence.since.isoformat()}, but "
                f"the applicant's residence permits record residence only since "
                f"{earliest.isoformat()} ({history.permits} permit(s)); a case worker must "
                "verify the residence start.",
                ("residence.since",),
            ),
        )
    return (
        passed(
            RULE,
            CLAUSE,
            f"The declared residence start {residence.since.isoformat()} agrees with the "
            f"applicant's residence permits, which record residence since "
            f"{earliest.isoformat()}.",
        ),
    )
