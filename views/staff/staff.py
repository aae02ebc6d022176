"""City staff (/staff): the social KPIs, exports, moderation, deletion by code, audit log.
The logic lives in sparcs_engage/ui/staff_view.py."""

from sparcs_engage.ui.context import current_visitor
from sparcs_engage.ui.staff_view import render

render(current_visitor())
