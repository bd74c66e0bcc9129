"""mlroles: the helper package of the course "Machine Learning Engineer vs Data Scientist".

Notebooks stay thin and call into this package. Importing it is cheap on purpose:
each submodule (data, sources, feedback, widgets, ...) is imported only when used.
"""
__version__ = "0.1.0"
