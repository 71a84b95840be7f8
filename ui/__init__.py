"""Streamlit user-interface helpers."""
