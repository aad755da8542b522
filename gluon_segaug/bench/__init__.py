"""The joint image + mask benchmark: per op, whole pipelines, end to end.

``run_all`` times every suite against its peers (Albumentations 1.3.1, ``mx.image`` as
MXNet's tutorial uses it, GluonCV where it installs) in one process, interleaved, after
warm-up, one thread, and writes a Markdown report and a bar chart to a results folder.
``python -m gluon_segaug bench`` runs it; ``--quick`` runs a few rounds to prove it works.

Needs the real test photos (the COCO giraffe of MXNet's mask tutorial): pass their folder.
"""
from __future__ import annotations

from .report import run_all

__all__ = ["run_all"]
