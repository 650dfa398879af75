"""Signals Explorer — `streamlit run dashboard.py [-- --data DIR]`."""

from signals.app.main import run

run()
