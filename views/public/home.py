"""Home (/): what SPARCS Engage is for, the chosen city, and the way to the activities."""

from sparcs_engage.ui.context import current_visitor
from sparcs_engage.ui.home_view import render

render(current_visitor())
