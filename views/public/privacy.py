"""Privacy notice (/privacy): what is stored, why, for how long, and the visitor's rights."""

import streamlit as st

from sparcs_engage.ui.context import current_visitor

visitor = current_visitor()
t = visitor.t

st.title(t("Privacy notice"))
st.markdown(t.content("privacy"))
