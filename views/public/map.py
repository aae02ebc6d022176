"""District energy map (/map): every district's energy and emissions, as a map, a card, a chart,
a table and a CSV file."""

from sparcs_engage.ui.context import current_visitor
from sparcs_engage.ui.map_view import render

render(current_visitor())
