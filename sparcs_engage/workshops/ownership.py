"""Who runs a workshop: the facilitator who created it, and those they gave it to. No other
facilitator may open, move, tidy or export it, nor see its ratings (the facilitator's page lists
only the workshops its facilitator runs). Staff see every workshop through their own pages."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlmodel import Session, select

from sparcs_engage.models import Account, Workshop, WorkshopFacilitator
from sparcs_engage.workshops.locking import _audit, _workshop_for_update
from sparcs_engage.workshops.rules import UNKNOWN_FACILITATOR, WorkshopError, _uuid


def run_by(username: str) -> sa.ColumnElement[bool]:
    """A condition on Workshop: the workshops this facilitator runs."""
    f = WorkshopFacilitator.__table__.c
    given = sa.select(f.workshop_id).where(f.username == username)
    return sa.or_(Workshop.facilitator == username, Workshop.id.in_(given))


def give_workshop(
    *, session: Session, workshop_id: uuid.UUID | str, facilitator: str, to: str
) -> list[str]:
    """Let another facilitator run this workshop too (one who runs it gives it); answers the
    facilitators who run it now."""
    workshop = _workshop_for_update(session, workshop_id, facilitator)
    username = (to or "").strip() if isinstance(to, str) else ""
    account = session.exec(
        select(Account).where(Account.username == username, Account.role == "facilitator")
    ).first()
    if account is None:
        raise WorkshopError(UNKNOWN_FACILITATOR)
    known = session.get(WorkshopFacilitator, (workshop.id, username))
    if known is None and username != workshop.facilitator:
        session.add(
            WorkshopFacilitator(workshop_id=workshop.id, username=username, given_by=facilitator)
        )
        _audit(session, facilitator, "workshop_give", f"workshop {workshop.id}: to {username}")
        session.flush()
    return workshop_facilitators(session=session, workshop_id=workshop.id)


def workshop_facilitators(*, session: Session, workshop_id: uuid.UUID | str) -> list[str]:
    """The facilitators who run a workshop: its creator first, then the others by name."""
    workshop_id = _uuid(workshop_id)
    workshop = session.get(Workshop, workshop_id) if workshop_id else None
    if workshop is None:
        return []
    f = WorkshopFacilitator.__table__.c
    given = session.execute(
        sa.select(f.username).where(f.workshop_id == workshop.id).order_by(f.username)
    ).scalars()
    return [workshop.facilitator, *(name for name in given if name != workshop.facilitator)]
