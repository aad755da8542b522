"""The joint image + mask benchmark: per op, whole pipelines, end to end.

``report.run_all`` times every suite against its peers (Albumentations 1.3.1, ``mx.image`` as
MXNet's tutorial uses it, GluonCV where it installs) in one process, interleaved, after
warm-up, one thread, by process CPU time beside the wall clock; Albumentations 2.x,
which needs NumPy 2, runs in its own virtual environment through a worker process whose
turns alternate with the others' (``albu2.py``), and so does AlbumentationsX, the peer of
the mixing table (``mixing.py``). It writes the results (``results.json``), a Markdown
report rendered from them (with the machine's load over each run and the targets) and a
bar chart to a results folder; a run of some sections replaces just their tables
(``store.py``).
``python -m benchmarks`` runs it from the repository root; ``--quick`` runs a few rounds
to prove it works. It is not part of the installed package: its peers are not
dependencies of gluon_segaug (``pip install -c constraints.txt -r
benchmarks/requirements.txt``).

Needs the real test photos (the COCO giraffe of MXNet's mask tutorial): pass their folder.
"""
# Nothing is imported here: ``python -m benchmarks --help`` and the tests of the harness
# run without the peers installed; ``benchmarks.report.run_all`` is the entry point.
