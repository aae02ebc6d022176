"""A live co-creation workshop for residents (/workshop?code=...): join with the code, write
vision cards, vote with dots, see the results and rate the workshop."""

from sparcs_engage.ui.context import current_visitor
from sparcs_engage.ui.workshop_view import render

render(current_visitor())
