"""Carbon footprint (/footprint): about fifteen questions in three short steps, the result
beside the national average and the 1.5-degree targets, the actions that help most, and an
anonymous save with a code to look at or delete it later."""

from sparcs_engage.ui.context import current_visitor
from sparcs_engage.ui.footprint_view import render

render(current_visitor())
