"""Hostile submissions: recipes that turn a release into an attack on the grader (see cases.csv)."""
