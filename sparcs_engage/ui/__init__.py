"""Streamlit-only helpers. The rest of sparcs_engage never imports Streamlit."""
