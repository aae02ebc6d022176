"""Results of the City Vision 2050 survey (/results): every closed question as counts and
shares, the most wanted places, approved open answers; deletion by code."""

from sparcs_engage.ui.context import current_visitor
from sparcs_engage.ui.results_view import render

render(current_visitor())
