"""A stored pipeline's ``bbox_params`` and ``keypoint_params`` as this library's
``"boxes"`` and ``"keypoints"`` targets.

Only the coordinate formats this library's targets hold are mapped: boxes in
``"pascal_voc"`` (pixel edges ``x_min, y_min, x_max, y_max``) and keypoints in ``"xy"``
(pixel centres). Other formats need a conversion the pipeline does not do (``coco``
and ``yolo`` boxes, the angle and scale of ``xya`` / ``xys`` keypoints, which a
rotation or a resize changes): they are refused, naming the format to convert to.
``label_fields`` become extra columns: the labels ride along as the columns after the
coordinates, in ``label_fields`` order.
"""
from __future__ import annotations

from typing import Any, List

from ..joint import Target
from ._args import _Args

__all__ = ["point_targets"]


def _boxes(spec: Any) -> Target:
    args = _Args(dict(spec), "BboxParams", "pipeline.bbox_params")
    fmt = args.take("format")
    if fmt != "pascal_voc":
        raise args.refuse(f"format={fmt!r}: boxes are pixel edges [x_min, y_min, x_max, "
                          f"y_max] here (Albumentations' 'pascal_voc'); convert them to "
                          f"that format and store format='pascal_voc'")
    args.drop("label_fields")  # the labels are extra columns of the boxes array
    args.expect("min_width", 0, 0.0, None), args.expect("min_height", 0, 0.0, None)
    args.expect("check_each_transform", True,
                why="boxes are cut at every resample of the pipeline here")
    # 2.x's options at the values that mean 1.x's behaviour.
    args.expect("clip", False), args.expect("filter_invalid_bboxes", False)
    args.expect("max_accept_ratio", None)
    target = Target("boxes", min_visibility=float(args.take("min_visibility", 0.0) or 0.0),
                    min_area=float(args.take("min_area", 0.0) or 0.0))
    args.done()
    return target


def _keypoints(spec: Any) -> Target:
    args = _Args(dict(spec), "KeypointParams", "pipeline.keypoint_params")
    fmt = args.take("format")
    if fmt != "xy":
        raise args.refuse(f"format={fmt!r}: keypoints are (x, y) pixel centres here "
                          f"(Albumentations' 'xy'), extra columns carried unchanged (an "
                          f"angle or scale would not turn or scale with the sample); "
                          f"convert them to 'xy'")
    args.drop("label_fields", "angle_in_degrees")
    args.expect("remove_invisible", True, why="keypoints that leave the frame are dropped "
                                              "here, or flagged with Target(..., "
                                              "outside='flag')")
    args.expect("check_each_transform", True,
                why="keypoints are cut at every resample of the pipeline here")
    args.done()
    return Target("keypoints")


def point_targets(bbox_params: Any, keypoint_params: Any) -> List[Target]:
    """The targets for a stored pipeline's ``bbox_params`` / ``keypoint_params``
    (``None`` where absent), boxes first."""
    targets = []
    for spec, make, name in ((bbox_params, _boxes, "bbox_params"),
                             (keypoint_params, _keypoints, "keypoint_params")):
        if spec is None:
            continue
        if not isinstance(spec, dict):
            raise ValueError(f"refused pipeline.{name}: expected the stored parameters "
                             f"(a dict), but got {spec!r}")
        targets.append(make(spec))
    return targets
