"""The executor behind ``Compose``: draws every step and applies it, fusing as it goes.

Holds ``Runner``. Positional draws pile up as pending geometry until a step needs the
pixels; linear colour draws pile up as one colour matrix until another kind of step
comes. Blocks (``OneOf``...) choose their steps, which then run as if written inline.
With ``replay`` the recorded parameters are used instead of drawing.
"""
from __future__ import annotations

from typing import Any, List, Optional, Sequence, Tuple

import numpy as np

from .base import PositionalAugmenter
from .blocks import Block, BlockParams
from .colour.linear import LinearColor
from .colour.matrix import apply_colour_matrix, fused_matrix
from .functional import Interp
from .fusion import FrameView, starts_run, warp_joint
from .geometry import Geometry
from .joint import Joint, Policy

__all__ = ["Runner"]


class Runner:
    """One sample's pass through a list of steps."""

    def __init__(self, joint: Joint, layout: Policy, interpolation: Interp, fuse: bool,
                 rng: Optional[np.random.Generator]) -> None:
        self.joint, self.layout, self.interpolation, self.fuse = joint, layout, interpolation, fuse
        self.rng = rng
        self.hw = joint.hw
        self.pending: List[Geometry] = []
        self.pending_border = "constant"  # the border of the pending run (fusion.run_border)
        self.colours: List[Tuple[LinearColor, Any]] = []
        # The geometry of every resample, in order: boxes and keypoints follow it, and
        # lose what a resample's frame cuts off, as the pixels do.
        self.runs: List[Tuple[Geometry, ...]] = []
        # Steps outside the positional ones that changed the sample's size anyway.
        self.resized_by: List[str] = []

    def run(self, steps: Sequence[Any], replay: Optional[Sequence[Any]] = None) -> Tuple[Any, ...]:
        """Run ``steps``; returns what each drew (``None`` where it was skipped)."""
        drawn = []
        for i, step in enumerate(steps):
            recorded = replay[i] if replay is not None else None
            if isinstance(step, Block):
                chosen = recorded.chosen if replay is not None else step.choose(self.rng)
                inner = self.run([step.transforms[j] for j in chosen],
                                 recorded.params if replay is not None else None)
                drawn.append(BlockParams(tuple(chosen), inner))
            elif isinstance(step, LinearColor):
                drawn.append(self._colour(step, recorded, replay is not None))
            elif isinstance(step, PositionalAugmenter):
                drawn.append(self._positional(step, recorded, replay is not None, i))
            else:
                self.flush()
                params = recorded if replay is not None else step.sample(self.rng, self.joint)
                if params is not None:
                    before = self.joint.hw
                    self.joint = step.apply(self.joint, params, self.layout)
                    if self.joint.hw != before:
                        self.resized_by.append(f"{type(step).__name__} (step {i})")
                drawn.append(params)
        return tuple(drawn)

    def _colour(self, step: LinearColor, recorded: Any, replaying: bool) -> Any:
        # Adjacent linear colour steps become one colour matrix.
        self._flush_geometry()
        params = recorded if replaying else step.sample(self.rng, self.joint)
        if params is not None:
            self.colours.append((step, params))
        return params

    def _positional(self, step: PositionalAugmenter, recorded: Any, replaying: bool,
                    index: int) -> Any:
        self._flush_colour()
        if replaying:
            params = recorded
        else:
            view = FrameView(self.joint, self.pending, self.layout) if step.needs_view else None
            params = step.sample_geometry(self.rng, self.hw, view)
        if params is not None:
            if tuple(params.in_hw) != tuple(self.hw):
                raise ValueError(f"{type(step).__name__} (step {index}) was drawn for a "
                                 f"{params.in_hw} sample but gets {self.hw}")
            self._start_run_if_needed(params)
            self.pending.append(params)
            self.hw = params.out_hw
            if not self.fuse:
                self._flush_geometry()
        return params

    def _start_run_if_needed(self, params: Geometry) -> None:
        """Execute the pending run first where fusing ``params`` into it would read
        other pixels than applying it after the run does (``fusion.starts_run``)."""
        if starts_run(params, self.pending_border):
            self._flush_geometry()
            self.pending_border = params.border

    def flush(self) -> Joint:
        """Execute everything pending; the sample as it stands."""
        self._flush_geometry()
        self._flush_colour()
        return self.joint

    def flush_into(self, finisher: Any) -> Tuple[Joint, Optional[np.ndarray]]:
        """Execute the pending geometry; hand the pending linear colour steps over as one
        affine map when ``finisher`` (``ToTensor``) can apply it in its own pass
        (``fuses_affine``), else execute them too. Returns the sample and that map (or
        ``None``), for ``finisher.finish``."""
        self._flush_geometry()
        if not self.colours or not finisher.fuses_affine(self.joint.image):
            return self.flush(), None
        matrix = fused_matrix(self.colours, self.joint.image)
        self.colours = []
        return self.joint, matrix

    def _flush_geometry(self) -> None:
        if self.pending:
            self.joint = warp_joint(self.joint, self.pending, self.layout, self.interpolation)
            self.runs.append(tuple(self.pending))
            self.pending = []
        self.pending_border = "constant"

    def _flush_colour(self) -> None:
        if not self.colours:
            return
        image = self.joint.image
        if len(self.colours) == 1:
            step, params = self.colours[0]
            image = step.apply_image(image, params)
        else:
            image = apply_colour_matrix(image, fused_matrix(self.colours, image))
        self.joint = self.joint.replace(image=image)
        self.colours = []
