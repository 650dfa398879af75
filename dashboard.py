"""Signals Explorer — `streamlit run dashboard.py [-- --data DIR]`."""

from signals.app.main import run

# Streamlit runs this file as __main__. The loader's worker processes (a forkserver's children)
# import it again as __mp_main__, as multiprocessing does with a main script: without this guard
# each worker drew the whole app first (warnings about a missing ScriptRunContext), and since the
# workspace's annotations joined the first run, a worker's own load could wait on the pool it
# belongs to: the dashboard's first load of a folder hung (seen in Chromium, load stuck in parse_all).
if __name__ == "__main__":
    run()
