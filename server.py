"""What `streamlit run server.py` serves: the app (app.py) with the server's own routes
(session cookie, staff downloads) and middleware (see sparcs_engage/ui/routes.py)."""

import streamlit as st
from starlette.middleware import Middleware

from sparcs_engage.ui.routes import ROUTES, SecurityHeaders

app = st.App("app.py", routes=ROUTES, middleware=[Middleware(SecurityHeaders)])
