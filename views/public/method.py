"""How the footprint is calculated (/method): the method, every emission factor with its value,
unit, year, scope and source, the average residents and the cities' plans."""

from sparcs_engage.ui.context import current_visitor
from sparcs_engage.ui.method_view import render

render(current_visitor())
