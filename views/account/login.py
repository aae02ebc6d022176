"""Sign in (/login) for city staff and workshop facilitators; residents never need it."""

from sparcs_engage.ui.context import current_visitor
from sparcs_engage.ui.login_view import render

render(current_visitor())
