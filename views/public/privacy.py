"""Privacy notice (/privacy): what is stored, why, for how long, and the visitor's rights."""

from sparcs_engage.ui.context import current_visitor
from sparcs_engage.ui.privacy_view import render

render(current_visitor())
