"""JupyterHub's configuration for `make hub`: everything comes from mlroles.launch.hub.

Start the hub with `make hub` (or `python -m mlroles.launch.hub`), not with `jupyterhub -f` alone: that command checks
the roster, the port and the proxy, prepares the state folder and writes the hub.json this file reads.
"""
from mlroles.launch import hub

c = get_config()  # noqa: F821 -- provided by JupyterHub when it loads this file
hub.configure(c)
