"""The four exercises' notebook helpers (``ex1`` to ``ex4``), and ``recording``, which a graded test cell
calls to record what the learner gave for the grader to score outside the kernel."""
