"""Placeholder home page until the map lands."""

import streamlit as st

st.title("Périmètres CPTS")
