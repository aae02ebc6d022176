"""The SQLModel tables, one module per area. Alembic migrations in migrations/ create them;
the app never calls create_all. Importing this package registers every table."""

from sparcs_engage.models.accounts import ROLES, Account, AuditEvent
from sparcs_engage.models.base import UTCDateTime, utcnow
from sparcs_engage.models.footprints import FootprintRecord, Pledge
from sparcs_engage.models.respondents import Respondent

__all__ = [
    "ROLES",
    "Account",
    "AuditEvent",
    "FootprintRecord",
    "Pledge",
    "Respondent",
    "UTCDateTime",
    "utcnow",
]
