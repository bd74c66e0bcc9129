"""Opening the course: JupyterLab on a learner's own copy (``lab``, ``workspace``) and a JupyterHub for a
cohort (``hub``)."""
