"""Augmenter base classes: draw parameters once, apply them with pure functions.

Holds
-----
Augmenter
    ``sample(rng, joint) -> params or None`` (``None``: the step is skipped this time,
    for example when its probability ``p`` says so) and ``apply(joint, params, layout)``.
    Called directly on arrays it runs as a one-step pipeline.
PositionalAugmenter
    Subclasses define ``make_params(rng, hw) -> Geometry``, from the sample's height and
    width only, so a pipeline can chain several draws and resample once (fusion).
ColorAugmenter
    Subclasses define ``make_params(rng, image)`` and ``apply_image(image, params)``;
    targets pass through untouched, by construction of this base class.
"""
from __future__ import annotations

import inspect
from typing import Any, List, Optional, Tuple

import numpy as np

from ._checks import check_output_size
from .calls import call, give_back, put_points, read_call
from .functional import Interp
from .fusion import FrameView, warp_joint
from .geometry import Geometry
from .joint import Joint, Policy
from .keywords import keyword_targets
from .points import move_points
from .rng import Streams, pop_sample_key

__all__ = ["Augmenter", "PositionalAugmenter", "ColorAugmenter"]


def _check_p(p: float) -> float:
    if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0.0 <= p <= 1.0:
        raise ValueError(f"p must be a probability in [0, 1], but got {p!r}")
    return float(p)


class Augmenter:
    """Base of every augmenter.

    Subclasses keep each ``__init__`` argument as an attribute of the same name; the
    ``repr`` (and saved pipelines) are built from them.
    """

    def __init__(self, p: float = 1.0) -> None:
        self.p = _check_p(p)

    def sample(self, rng: np.random.Generator, joint: Joint) -> Optional[Any]:
        """Draw this step's parameters for one sample, or ``None`` to skip it."""
        if self.p < 1.0 and rng.random() >= self.p:
            return None
        return self._sample(rng, joint)

    def _sample(self, rng: np.random.Generator, joint: Joint) -> Any:
        raise NotImplementedError

    def apply(self, joint: Joint, params: Any, layout: Policy) -> Joint:
        """Apply drawn ``params``; never modifies ``joint``'s arrays."""
        raise NotImplementedError

    def __call__(self, *args: Any, **named: Any) -> Any:
        """Run this augmenter alone, as the one-step pipeline ``Compose([self])`` runs it:
        ``aug(image, *masks)``, or with keywords, ``aug(image=..., mask=...)`` or
        ``aug(image=..., masks=[...])``, which returns a dict with the same keys (see
        ``Compose.__call__``). By position every target is a class mask; by keyword the
        keys say what each is (``instance=``, ``color_mask=``, ``continuous=``,
        ``bboxes=`` or ``boxes=`` for (N, 4 + k) pixel-edge boxes, ``keypoints=`` for
        (N, 2 + k) points; see ``gluon_segaug.points``)."""
        if named:
            layout = Policy(keyword_targets(named))
        else:
            layout = Policy(("mask",) * max(len(args) - 1, 0))
        return call(lambda image, targets: self._alone(image, targets, layout), layout, args,
                    named)

    def _alone(self, image: Any, targets: Tuple[Any, ...], layout: Policy) -> List[Any]:
        joint, arrays, forms, points = read_call(image, targets, layout,
                                                 lambda i, target: target.kind.value)
        pixels = layout.pixels()
        pixels.check(joint)
        rng = Streams().generator(pop_sample_key(image))
        params, out = self._draw_alone(joint, pixels, rng)
        results = give_back(out.groups, arrays, forms)
        if points:
            if params is None and out.hw != joint.hw:
                raise ValueError(f"{type(self).__name__} changed the sample's size outside "
                                 f"the positional steps, so boxes and keypoints cannot follow "
                                 f"it; make it a PositionalAugmenter")
            runs = [[params]] if isinstance(params, Geometry) else []
            order = sorted(points)
            moved = move_points([layout.targets[i] for i in order],
                                [points[i][0] for i in order], runs, joint.hw,
                                names=[layout.targets[i].kind.value for i in order])
            put_points(results, points, dict(zip(order, moved)))
        return results

    def _draw_alone(self, joint: Joint, layout: Policy,
                    rng: np.random.Generator) -> Tuple[Any, Joint]:
        """The draw of this step alone on ``joint`` and its output; ``_run_alone`` by
        default (the draw is then unknown, ``None``)."""
        return None, self._run_alone(joint, layout, rng)

    def _run_alone(self, joint: Joint, layout: Policy, rng: np.random.Generator) -> Joint:
        """Draw and apply this step on ``joint``, as a pipeline of it alone does."""
        params = self.sample(rng, joint)
        return joint if params is None else self.apply(joint, params, layout)

    def init_args(self) -> dict:
        """The ``__init__`` arguments, read back from the attributes of the same name."""
        names = [name for name, param in inspect.signature(type(self).__init__).parameters.items()
                 if name != "self" and param.kind not in (param.VAR_POSITIONAL,
                                                          param.VAR_KEYWORD)]
        return {name: getattr(self, name) for name in names}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={_short(v)}" for k, v in self.init_args().items())
        return f"{type(self).__name__}({args})"


def _short(value: Any) -> str:
    if isinstance(value, Interp):
        return repr(value.value)
    return repr(value)


class PositionalAugmenter(Augmenter):
    """Base of augmenters that move pixels: every channel group moves identically.

    A subclass defines one method, ``make_params(rng, hw) -> Geometry``: the draw, from
    the explicit generator ``rng`` and the current ``(height, width)`` alone. The base
    class does the rest: the probability ``p``, fusion with the positional steps around
    it (one resample for the whole run), and every target with its own policy. One that
    must look at the labels (a class-aware crop) sets ``needs_view = True`` and defines
    ``make_params(rng, hw, view)``, where ``view`` is a :class:`FrameView` of the sample
    in the current frame. The library's own positional augmenters are written the same
    way.

    ``sample`` and ``sample_geometry`` are what pipelines call; subclasses leave them be.
    """

    needs_view = False

    def sample(self, rng: np.random.Generator, joint: Joint,
               layout: Optional[Policy] = None) -> Optional[Geometry]:
        view = FrameView(joint, (), layout or Policy()) if self.needs_view else None
        return self.sample_geometry(rng, joint.hw, view)

    def sample_geometry(self, rng: np.random.Generator, hw: Tuple[int, int],
                        view: Optional[FrameView] = None) -> Optional[Geometry]:
        """Like ``sample``, from the current height and width (and the ``view`` for a
        step with ``needs_view``): ``None`` where ``p`` skips the step, else the draw of
        ``make_params``."""
        if self.p < 1.0 and rng.random() >= self.p:
            return None
        hw = (int(hw[0]), int(hw[1]))
        if self.needs_view:
            if view is None:
                raise ValueError(f"{type(self).__name__} needs the sample's masks to draw")
            geometry = self.make_params(rng, hw, view)
        else:
            geometry = self.make_params(rng, hw)
        if not isinstance(geometry, Geometry):
            raise TypeError(f"{type(self).__name__}.make_params must return a Geometry "
                            f"(RotateParams, MatrixParams, ...), but returned "
                            f"{type(geometry).__name__}")
        # Where the output size follows the input (RandomScale, Resize to a side, Pad,
        # Rotate with expand), only the draw can tell: refuse it before any allocation.
        check_output_size(geometry.out_hw, type(self).__name__, hw)
        return geometry

    def make_params(self, rng: np.random.Generator, hw: Tuple[int, int], *view) -> Geometry:
        """Draw this step's geometry for one sample of size ``hw`` from ``rng`` (and the
        ``view`` of a step with ``needs_view``). The base class has already decided ``p``."""
        # Augmenters written before ``make_params`` was the public name define this one.
        return self._sample_geometry(rng, hw, *view)

    def _sample_geometry(self, rng: np.random.Generator, hw: Tuple[int, int], *view) -> Geometry:
        raise NotImplementedError(f"{type(self).__name__} must define make_params(rng, hw)")

    def apply(self, joint: Joint, params: Geometry, layout: Policy,
              default_interp: Interp = Interp.LINEAR) -> Joint:
        return warp_joint(joint, [params], layout, default_interp)

    def _run_alone(self, joint: Joint, layout: Policy, rng: np.random.Generator) -> Joint:
        return self._draw_alone(joint, layout, rng)[1]

    def _draw_alone(self, joint: Joint, layout: Policy,
                    rng: np.random.Generator) -> Tuple[Any, Joint]:
        params = self.sample(rng, joint, layout)
        return params, joint if params is None else self.apply(joint, params, layout)


class ColorAugmenter(Augmenter):
    """Base of augmenters that change image values only; targets pass untouched.

    A subclass that only makes sense for RGB sets ``rgb_only``: other channel counts are
    then refused on every call, not only on the calls where its probability fires.
    """

    rgb_only = False

    def sample(self, rng: np.random.Generator, joint: Joint) -> Optional[Any]:
        if self.rgb_only and joint.image.shape[2] != 3:
            raise ValueError(f"{type(self).__name__} works on 3-channel RGB images, but the "
                             f"image has {joint.image.shape[2]} channels")
        return super().sample(rng, joint)

    def _sample(self, rng: np.random.Generator, joint: Joint) -> Any:
        return self.make_params(rng, joint.image)

    def make_params(self, rng: np.random.Generator, image: np.ndarray) -> Any:
        """Draw this step's parameters for one sample from ``rng`` (and the image, where
        the draw depends on it). The base class has already decided ``p``."""
        # Augmenters written before ``make_params`` was the public name define this one.
        return self._sample_image(rng, image)

    def _sample_image(self, rng: np.random.Generator, image: np.ndarray) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define make_params(rng, image)")

    def apply(self, joint: Joint, params: Any, layout: Policy) -> Joint:
        return joint.replace(image=self.apply_image(joint.image, params))

    def apply_image(self, image: np.ndarray, params: Any) -> np.ndarray:
        """Return a new image with ``params`` applied; never write to ``image``."""
        raise NotImplementedError(f"{type(self).__name__} must define apply_image(image, params)")


# The spelling of the first releases; saved pipelines and old code keep working.
ColourAugmenter = ColorAugmenter
