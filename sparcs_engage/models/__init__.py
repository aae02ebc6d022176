"""The SQLModel tables, one module per area. Alembic migrations in migrations/ create them;
the app never calls create_all. Importing this package registers every table."""

from sparcs_engage.models.accounts import ROLES, Account, AuditEvent, RateLimit, StaffSession
from sparcs_engage.models.base import UTCDateTime, utcnow
from sparcs_engage.models.footprints import FootprintRecord, Pledge
from sparcs_engage.models.respondents import Respondent
from sparcs_engage.models.surveys import (  # noqa: F401
    SurveyAnswer,
    SurveyResponse,
    SurveySummary,
    SurveySummaryBudget,
    SurveyTotal,
)
from sparcs_engage.models.workshops import (
    WORKSHOP_PHASES,
    Workshop,
    WorkshopCard,
    WorkshopFacilitator,
    WorkshopParticipant,
    WorkshopVote,
)

__all__ = [
    "ROLES",
    "WORKSHOP_PHASES",
    "Account",
    "AuditEvent",
    "FootprintRecord",
    "Pledge",
    "RateLimit",
    "Respondent",
    "StaffSession",
    "UTCDateTime",
    "Workshop",
    "WorkshopCard",
    "WorkshopFacilitator",
    "WorkshopParticipant",
    "WorkshopVote",
    "utcnow",
]
