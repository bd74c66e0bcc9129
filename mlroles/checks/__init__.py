"""Self-checks: one question object per question, behind one protocol (``base.Question``).

The learner-facing layer under the widgets and the exercises: a question checks an answer and
never raises on it, says which state the answer is in (not attempted, needs fixing, incomplete,
not yet right, correct, ready to submit), gives hints by level and, for practice items, the
solution. ``scoring`` holds the one way each kind of graded answer is scored, shared by the
self-checks, the grader and the item analysis; it compares with keys it is given and holds none.
"""
