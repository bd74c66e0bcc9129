"""The course's benchmark: what learners and instructors wait for, each figure beside its aim.

    python -m benchmarks --help          (make bench runs it; see benchmarks/README.md)

One module per group of figures (``grading``, ``sandbox``, ``lessons``, ``imports``, ``calls``,
``fresh_setup``, ``suite``, ``memory``, ``cohort``, ``browser``, ``content``, ``hub``), the machinery they
share in ``core``, and RESULTS.md rendered by ``render`` from ``templates/RESULTS.md.j2``. Importing any of
them measures nothing and changes nothing: the driver (``__main__``) sets up the isolated environment when
a run starts.
"""
