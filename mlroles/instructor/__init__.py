"""The instructor's side: the course root and nbgrader's API, releasing, grading (nbgrader plugins and the
sandbox), the cohort commands, reports, feedback pages, exports, rosters and the synthetic demo cohort.

Nothing a learner's notebook imports lives here; this layer reads the graded keys."""
