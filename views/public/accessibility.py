"""Accessibility statement (/accessibility): how accessible the service is, known gaps, feedback."""

from sparcs_engage.ui.accessibility_view import render
from sparcs_engage.ui.context import current_visitor

render(current_visitor())
