"""The course's datasets, shipped inside the installed package as ``mlroles.datasets``.

The files are documented column by column in README.md beside this file.
"""
