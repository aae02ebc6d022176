"""City Vision 2050 survey (/vision): consent, sections saved at every step, review, submit;
a code to continue on another device."""

from sparcs_engage.ui.context import current_visitor
from sparcs_engage.ui.vision_view import render

render(current_visitor())
