"""Running co-creation workshops (/facilitate), for signed-in facilitators: set up and open a
workshop, show the join code and QR code, move it through its phases, watch and tidy the live
board, export the outcome."""

from sparcs_engage.ui.context import current_visitor
from sparcs_engage.ui.facilitate_view import render

render(current_visitor())
