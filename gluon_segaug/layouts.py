"""Datasets for the common on-disk layouts of segmentation data.

Holds
-----
PairedFolders
    Images in one folder, masks in another, matched by a file-name rule.
KITTIRoad
    KITTI road: ``image_2/um_000000.png`` with ``gt_image_2/um_lane_000000.png``, the
    colour-coded ground truth decoded to class ids (``KITTI_ROAD_PALETTE``).
Cityscapes
    ``leftImg8bit/<split>/<city>/*`` with ``gtFine/<split>/<city>/*``, label ids mapped to
    the 19 train ids by default.
VOCSegmentation
    PASCAL VOC: ``JPEGImages``, ``SegmentationClass`` and the ids of
    ``ImageSets/Segmentation/<split>.txt``.
ListFileDataset
    A text file of ``image_path mask_path`` lines.

Every class is a ``PairDataset``: samples are ``(image, mask)`` exactly as
``ImageWithMaskDataset`` gives them (image (H, W, 3) uint8 RGB NDArray, mask as
``read_mask`` reads it, then ``mask_decoder``), with its size checks, ``transform`` and
sample keys, ``allow_truncated`` and ``max_pixels`` (every class takes them as keyword
arguments; see ``SampleDataset``). Every pair is checked to exist when the dataset is made, and every error
names the file it is about. Folders are not searched recursively; hidden files are skipped.
"""
from __future__ import annotations

import os
import re
import string
from typing import Callable, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np

from .datasets import PairDataset
from .encodings import ColorToClass, RemapLabels

__all__ = ["PairedFolders", "KITTIRoad", "Cityscapes", "VOCSegmentation", "ListFileDataset",
           "KITTI_ROAD_PALETTE", "KITTI_ROAD_DECODER"]

PathLike = Union[str, "os.PathLike[str]"]
Decoder = Callable[[np.ndarray], np.ndarray]
Rule = Union[Callable[[str], Optional[str]], Tuple[str, str], Tuple["re.Pattern[str]", str]]
Items = List[Tuple[str, str]]

# KITTI road ground truth is an RGB picture: magenta is road (the ego lane, for um_lane),
# red is not road; anything else (black) has no ground truth and is ignored.
KITTI_ROAD_PALETTE: Dict[Tuple[int, int, int], int] = {(255, 0, 0): 0, (255, 0, 255): 1}
KITTI_ROAD_DECODER = ColorToClass(KITTI_ROAD_PALETTE, unknown=255)
_KITTI_CATEGORIES = ("um_lane", "um_road", "umm_road", "uu_road")
_CITYSCAPES_TARGETS = ("labelIds", "labelTrainIds", "instanceIds", "color")
_CITYSCAPES_SPLITS = {"fine": ("train", "val", "test"), "coarse": ("train", "train_extra", "val")}
_IMAGE_EXTS = (".jpg", ".jpeg", ".png")


def _folder(path: PathLike, what: str) -> str:
    path = os.fspath(path)
    if os.path.isfile(path):
        raise NotADirectoryError(f"{what} {path} is a file, not a folder")
    if not os.path.isdir(path):
        raise FileNotFoundError(f"{what} {path} does not exist")
    return path


def _files(folder: str) -> List[str]:
    """Sorted names of the visible files in ``folder`` ([] when there is no such folder)."""
    if not os.path.isdir(folder):
        return []
    # Hidden files are editor and macOS debris (._x.png), never samples.
    return sorted(n for n in os.listdir(folder)
                  if not n.startswith(".") and os.path.isfile(os.path.join(folder, n)))


def _more(count: int, what: str) -> str:
    return f" ({count} more {what})" if count else ""


def _name_rule(rule: Rule) -> Tuple[Callable[[str], Optional[str]], str]:
    """The image-name -> mask-name function of a ``PairedFolders`` rule, and its description.

    A pair whose first string has ``{name}`` fields is a pattern pair; any other pair is
    a regex substitution. Names the rule does not match give ``None``.

    >>> to_mask, _ = _name_rule(("{stem}.png", "{stem}_mask.png"))
    >>> to_mask("a_1.png"), to_mask("a_1.jpg")
    ('a_1_mask.png', None)
    >>> to_mask, _ = _name_rule((r"^(\\w+)_(\\d+)\\.png$", r"\\1_lane_\\2.png"))
    >>> to_mask("um_000003.png")
    'um_lane_000003.png'
    """
    if callable(rule):
        return rule, getattr(rule, "__qualname__", repr(rule))
    if (not isinstance(rule, tuple) or len(rule) != 2 or not isinstance(rule[1], str)
            or not isinstance(rule[0], (str, re.Pattern))):
        raise TypeError(f"rule must be a callable image_name -> mask_name, a pattern pair such "
                        f"as ('{{stem}}.png', '{{stem}}_mask.png') or a regex pair such as "
                        rf"(r'^(\w+)_(\d+)\.png$', r'\1_lane_\2.png'), but got {rule!r}")
    source, target = rule
    fields = _format_fields(source) if isinstance(source, str) else None
    if fields:
        return _pattern_rule(source, target, fields), repr(rule)
    try:
        regex = re.compile(source)
    except re.error as err:
        raise ValueError(f"rule {rule!r}: {source!r} is neither a pattern with {{name}} fields "
                         f"nor a valid regex ({err})") from None

    def to_mask(name: str) -> Optional[str]:
        if regex.search(name) is None:
            return None
        try:
            return regex.sub(target, name, count=1)
        except (re.error, IndexError) as err:
            raise ValueError(f"rule {rule!r}: cannot substitute into {name!r}: {err}") from None

    return to_mask, repr(rule)


def _format_fields(pattern: str) -> Optional[List[Tuple[str, str]]]:
    """``[(literal, field)]`` when ``pattern`` is a format pattern of named fields, else None."""
    try:
        parts = list(string.Formatter().parse(pattern))
    except ValueError:
        return None  # unbalanced braces: a regex such as r"[{]"
    names = [field for _, field, _, _ in parts if field is not None]
    # A regex can hold braces too (r"\d{2}"), but never an identifier inside them.
    if not names or not all(field.isidentifier() for field in names):
        return None
    for _, field, spec, conversion in parts:
        if field is not None and (spec or conversion):
            raise ValueError(f"image pattern {pattern!r}: field {{{field}}} must be a plain "
                             f"name, without a format spec or conversion")
    return [(literal, field) for literal, field, _, _ in parts]


def _pattern_rule(source: str, target: str,
                  parts: List[Tuple[str, Optional[str]]]) -> Callable[[str], Optional[str]]:
    regex, seen = "", set()
    for literal, field in parts:
        regex += re.escape(literal)
        if field is not None:
            # The same field twice must match the same text.
            regex += f"(?P={field})" if field in seen else f"(?P<{field}>.+?)"
            seen.add(field)
    try:
        used = {f for _, f, _, _ in string.Formatter().parse(target) if f is not None}
    except ValueError as err:
        raise ValueError(f"mask pattern {target!r} is not a valid pattern: {err}") from None
    if used - seen:
        raise ValueError(f"mask pattern {target!r} uses {sorted(used - seen)}, which the "
                         f"image pattern {source!r} does not define")
    compiled = re.compile(regex)

    def to_mask(name: str) -> Optional[str]:
        match = compiled.fullmatch(name)
        return None if match is None else target.format(**match.groupdict())

    return to_mask


def _match(image_dir: str, mask_dir: str, to_mask: Callable[[str], Optional[str]],
           image_exts: Sequence[str],
           is_mask: Optional[Callable[[str], bool]]) -> Tuple[Items, List[str]]:
    """Pairs of the images of ``image_dir`` that ``to_mask`` names a mask for, sorted by
    image name, and the files of ``mask_dir`` that ``is_mask`` accepts but no image claims
    (none when ``is_mask`` is None). Raises for a missing mask and two images of one mask."""
    items, missing, claimed = [], [], {}
    for name in _files(image_dir):
        if os.path.splitext(name)[1].lower() not in image_exts:
            continue
        mask_name = to_mask(name)
        if mask_name is None:
            continue
        image = os.path.join(image_dir, name)
        if not isinstance(mask_name, str) or not mask_name:
            raise TypeError(f"the rule gave {mask_name!r} for image {image}; it must give a "
                            f"mask file name (or None to skip the file)")
        mask = os.path.normpath(os.path.join(mask_dir, mask_name))
        if mask in claimed:
            raise ValueError(f"images {claimed[mask]} and {image} both map to mask {mask}; "
                             f"a mask belongs to one image")
        claimed[mask] = image
        (items if os.path.isfile(mask) else missing).append((image, mask))
    if missing:
        raise ValueError(f"image {missing[0][0]} has no mask: expected {missing[0][1]}"
                         + _more(len(missing) - 1, "images without masks"))
    orphans: List[str] = []
    if is_mask is not None:
        # Images are not masks when both live in one folder.
        taken = set(claimed) | {os.path.normpath(image) for image in claimed.values()}
        orphans = [path for path in (os.path.normpath(os.path.join(mask_dir, n))
                                     for n in _files(mask_dir) if is_mask(n))
                   if path not in taken]
    return items, orphans


def _refuse_orphans(orphans: List[str], hint: Callable[[str], str]) -> None:
    # Called after the check for an empty dataset: "no images" explains more than a
    # list of masks without them.
    if orphans:
        raise ValueError(f"mask {orphans[0]} has no image: {hint(orphans[0])}"
                         + _more(len(orphans) - 1, "masks without images"))


class _Chain:
    """Two mask decoders, one after the other (picklable, unlike a lambda)."""

    def __init__(self, first: Decoder, second: Decoder) -> None:
        self.first, self.second = first, second

    def __call__(self, mask: np.ndarray) -> np.ndarray:
        return self.second(self.first(mask))

    def __repr__(self) -> str:
        return f"{self.first!r} then {self.second!r}"


class PairedFolders(PairDataset):
    """Images in one folder, masks in another, matched by a file-name rule.

    Parameters
    ----------
    image_dir, mask_dir : str or os.PathLike
        The folders (they may be one folder when the rule matches no mask).
    rule : callable, pattern pair or regex pair
        How an image file name gives its mask's file name:

        - a callable ``image_name -> mask_name`` (``None`` to skip the file);
        - a pattern pair ``("{stem}.png", "{stem}_mask.png")``: images are the names the
          first pattern matches whole, each ``{field}`` any text, the same text where a
          field repeats; the mask name is the second pattern filled in;
        - a regex pair ``(r"^(\\w+)_(\\d+)\\.png$", r"\\1_lane_\\2.png")``: images are the
          names the regex finds a match in, the mask name is ``re.sub`` of the first match.
          A pair is a regex pair when its first string has no ``{name}`` field.
    ignore_unmatched_masks : bool
        Skip the files of ``mask_dir`` that no image claims instead of raising.
    image_exts : sequence of str
        Only files with these extensions (any case) are offered to the rule.
    transform, mask_decoder, allow_truncated, max_pixels
        As ``SampleDataset``.

    Notes
    -----
    Samples are sorted by image file name. Errors: an image whose mask is missing, two
    images mapping to one mask, a mask that no image claims, no image matching the rule.
    """

    def __init__(self, image_dir: PathLike, mask_dir: PathLike, rule: Rule, *,
                 ignore_unmatched_masks: bool = False,
                 image_exts: Sequence[str] = _IMAGE_EXTS,
                 transform: Optional[Callable] = None,
                 mask_decoder: Optional[Decoder] = None, allow_truncated: bool = False,
                 max_pixels: Optional[int] = None) -> None:
        image_dir = _folder(image_dir, "image folder")
        mask_dir = _folder(mask_dir, "mask folder")
        # Only the description is kept: a lambda rule would stop the dataset pickling
        # into DataLoader workers.
        to_mask, self._rule = _name_rule(rule)
        exts = tuple(e.lower() for e in image_exts)
        hint = (f"no image of {image_dir} maps to it under the rule {self._rule}; pass "
                f"ignore_unmatched_masks=True to skip such files")
        items, orphans = _match(image_dir, mask_dir, to_mask, exts,
                                None if ignore_unmatched_masks else (lambda name: True))
        if not items:
            raise ValueError(f"image folder {image_dir} has no {'|'.join(exts)} files that the "
                             f"rule {self._rule} matches")
        _refuse_orphans(orphans, lambda mask: hint)
        self._dirs = (image_dir, mask_dir)
        super().__init__(items, transform, mask_decoder, allow_truncated=allow_truncated,
                         max_pixels=max_pixels)

    def __repr__(self) -> str:
        return (f"PairedFolders({self._dirs[0]!r}, {self._dirs[1]!r}, {self._rule}, "
                f"{len(self)} samples)")


class KITTIRoad(PairDataset):
    """KITTI road: ``<root>/<split>/image_2/um_000000.png`` with
    ``<root>/<split>/gt_image_2/um_lane_000000.png``.

    Parameters
    ----------
    root : str or os.PathLike
        The folder holding ``training/`` (``data_road`` in the download).
    split : str
        ``"training"``; ``"testing"`` has no ground truth in KITTI and says so.
    category : str
        ``"um_lane"``, ``"um_road"``, ``"umm_road"`` or ``"uu_road"``: the ground truth
        files used, and the images of its scene type (``um_``, ``umm_``, ``uu_``).
        Ground truth of other categories in ``gt_image_2`` is left alone.
    mask_decoder : callable or None
        ``KITTI_ROAD_DECODER`` by default: the ground truth is an RGB picture, decoded
        with ``ColorToClass(KITTI_ROAD_PALETTE, unknown=255)``: red (255, 0, 0) -> 0
        (background), magenta (255, 0, 255) -> 1 (road, or the ego lane for ``um_lane``),
        any other colour (black (0, 0, 0): no ground truth) -> 255, the ignore index.
        Masks are then (H, W) uint8. ``None`` gives the colours, (H, W, 3) uint8.
    transform, allow_truncated, max_pixels
        As ``SampleDataset``.

    Notes
    -----
    Samples are sorted by image file name.
    """

    def __init__(self, root: PathLike, split: str = "training", category: str = "um_lane", *,
                 transform: Optional[Callable] = None,
                 mask_decoder: Optional[Decoder] = KITTI_ROAD_DECODER,
                 allow_truncated: bool = False, max_pixels: Optional[int] = None) -> None:
        if split not in ("training", "testing"):
            raise ValueError(f"split must be 'training' or 'testing', but got {split!r}")
        if category not in _KITTI_CATEGORIES:
            raise ValueError(f"category must be one of {', '.join(_KITTI_CATEGORIES)}, "
                             f"but got {category!r}")
        root = _folder(root, "KITTI road folder")
        image_dir = _folder(os.path.join(root, split, "image_2"), "KITTI road image folder")
        mask_dir = os.path.join(root, split, "gt_image_2")
        if not os.path.isdir(mask_dir):
            raise FileNotFoundError(f"KITTI road ground truth folder {mask_dir} does not exist"
                                    + (" (KITTI publishes ground truth for the training split "
                                       "only)" if split == "testing" else ""))
        scene = category.split("_")[0]
        image_name = re.compile(rf"^{scene}_(\d+)\.png$")
        mask_name = re.compile(rf"^{category}_(\d+)\.png$")

        def to_mask(name: str) -> Optional[str]:
            match = image_name.match(name)
            return None if match is None else f"{category}_{match.group(1)}.png"

        def hint(mask: str) -> str:
            number = mask_name.match(os.path.basename(mask)).group(1)
            return f"expected {os.path.join(image_dir, f'{scene}_{number}.png')}"

        items, orphans = _match(image_dir, mask_dir, to_mask, (".png",),
                                lambda name: mask_name.match(name) is not None)
        if not items:
            raise ValueError(f"KITTI road image folder {image_dir} has no {scene}_*.png "
                             f"images (category {category})")
        _refuse_orphans(orphans, hint)
        self._root, self._split, self._category = root, split, category
        super().__init__(items, transform, mask_decoder, allow_truncated=allow_truncated,
                         max_pixels=max_pixels)

    def __repr__(self) -> str:
        return (f"KITTIRoad({self._root!r}, split={self._split!r}, "
                f"category={self._category!r}, {len(self)} samples)")


class Cityscapes(PairDataset):
    """Cityscapes: ``<root>/leftImg8bit/<split>/<city>/<x>_leftImg8bit.png`` with
    ``<root>/gtFine/<split>/<city>/<x>_gtFine_<target>.png``.

    Parameters
    ----------
    root : str or os.PathLike
        The folder holding ``leftImg8bit/`` and ``gtFine/`` (or ``gtCoarse/``).
    split : str
        ``"train"``, ``"val"`` or ``"test"`` (``mode="coarse"``: ``"train"``,
        ``"train_extra"``, ``"val"``).
    target : str
        Which ground truth file: ``"labelIds"``, ``"labelTrainIds"`` (made by
        cityscapesScripts' ``createTrainIdLabelImgs``), ``"instanceIds"`` or ``"color"``.
    train_ids : bool
        Map label ids to the 19 train ids (``RemapLabels.cityscapes_train_ids()``: road
        7 -> 0, ..., bicycle 33 -> 18, every other id -> 255). Only for
        ``target="labelIds"``; pass ``False`` for the others.
    mode : str
        ``"fine"`` (``gtFine``) or ``"coarse"`` (``gtCoarse``).
    mask_decoder : callable, optional
        Runs after the train-id mapping when ``train_ids`` is on.
    transform, allow_truncated, max_pixels
        As ``SampleDataset``.

    Notes
    -----
    Samples are sorted by city, then file name. Ground truth files of other targets
    (``_color.png``, ``_polygons.json``...) are left alone.
    """

    def __init__(self, root: PathLike, split: str = "train", target: str = "labelIds",
                 train_ids: bool = True, *, mode: str = "fine",
                 transform: Optional[Callable] = None,
                 mask_decoder: Optional[Decoder] = None, allow_truncated: bool = False,
                 max_pixels: Optional[int] = None) -> None:
        if mode not in _CITYSCAPES_SPLITS:
            raise ValueError(f"mode must be 'fine' or 'coarse', but got {mode!r}")
        if split not in _CITYSCAPES_SPLITS[mode]:
            raise ValueError(f"split must be one of {', '.join(_CITYSCAPES_SPLITS[mode])} for "
                             f"mode {mode!r}, but got {split!r}")
        if target not in _CITYSCAPES_TARGETS:
            raise ValueError(f"target must be one of {', '.join(_CITYSCAPES_TARGETS)}, "
                             f"but got {target!r}")
        if train_ids and target != "labelIds":
            raise ValueError(f"train_ids=True maps label ids, but target is {target!r}; pass "
                             f"train_ids=False")
        root = _folder(root, "Cityscapes folder")
        image_root = _folder(os.path.join(root, "leftImg8bit", split), "Cityscapes image folder")
        gt = "gtFine" if mode == "fine" else "gtCoarse"
        mask_root = _folder(os.path.join(root, gt, split), "Cityscapes ground truth folder")
        suffix = f"_{gt}_{target}.png"

        def to_mask(name: str) -> Optional[str]:
            return name[:-len("_leftImg8bit.png")] + suffix if name.endswith(
                "_leftImg8bit.png") else None

        def cities(folder: str) -> set:
            return {n for n in os.listdir(folder)
                    if not n.startswith(".") and os.path.isdir(os.path.join(folder, n))}

        def hint(mask: str) -> str:
            city = os.path.basename(os.path.dirname(mask))
            return "expected " + os.path.join(
                image_root, city, os.path.basename(mask)[:-len(suffix)] + "_leftImg8bit.png")

        items: Items = []
        orphans: List[str] = []
        for city in sorted(cities(image_root) | cities(mask_root)):
            found, lonely = _match(os.path.join(image_root, city), os.path.join(mask_root, city),
                                   to_mask, (".png",), lambda name: name.endswith(suffix))
            items += found
            orphans += lonely
        if not items:
            raise ValueError(f"Cityscapes image folder {image_root} has no "
                             f"<city>/*_leftImg8bit.png images")
        _refuse_orphans(orphans, hint)
        decoder = mask_decoder
        if train_ids:
            remap = RemapLabels.cityscapes_train_ids()
            decoder = remap if mask_decoder is None else _Chain(remap, mask_decoder)
        self._root, self._split, self._target = root, split, target
        super().__init__(items, transform, decoder, allow_truncated=allow_truncated,
                         max_pixels=max_pixels)

    def __repr__(self) -> str:
        return (f"Cityscapes({self._root!r}, split={self._split!r}, target={self._target!r}, "
                f"{len(self)} samples)")


class VOCSegmentation(PairDataset):
    """PASCAL VOC: ``<root>/JPEGImages/<id>.jpg`` with ``<root>/SegmentationClass/<id>.png``
    for the ids of ``<root>/ImageSets/Segmentation/<split>.txt``.

    Parameters
    ----------
    root : str or os.PathLike
        The ``VOC2012`` (or ``VOC2007``) folder of ``VOCdevkit``.
    split : str
        The split file's name: ``"train"``, ``"val"``, ``"trainval"``...
    mask_dir : str
        The masks' folder under ``root``: ``"SegmentationClass"``, or
        ``"SegmentationObject"``, ``"SegmentationClassAug"`` (SBD's extra masks).
    transform, mask_decoder, allow_truncated, max_pixels
        As ``SampleDataset``.

    Notes
    -----
    Samples come in the split file's order. Masks are the palette PNGs' indices: (H, W)
    uint8 class ids 0..20 with 255 on object borders (``RemapLabels.voc_ignore_to(-1)``
    turns those into -1).
    """

    def __init__(self, root: PathLike, split: str = "train", *,
                 mask_dir: str = "SegmentationClass", transform: Optional[Callable] = None,
                 mask_decoder: Optional[Decoder] = None, allow_truncated: bool = False,
                 max_pixels: Optional[int] = None) -> None:
        root = _folder(root, "VOC folder")
        split_dir = os.path.join(root, "ImageSets", "Segmentation")
        split_file = os.path.join(split_dir, f"{split}.txt")
        if not os.path.isfile(split_file):
            found = [n[:-4] for n in _files(split_dir) if n.endswith(".txt")]
            raise FileNotFoundError(f"VOC split file {split_file} does not exist"
                                    + (f" (splits there: {', '.join(found)})" if found else ""))
        items, missing, lines = [], [], {}
        with open(split_file, encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                fields = line.split()
                if not fields:
                    continue
                where = f"VOC split file {split_file} line {number}"
                if len(fields) != 1:
                    raise ValueError(f"{where}: expected one image id, but got {line.strip()!r}")
                sample = fields[0]
                if sample in lines:
                    raise ValueError(f"{where}: id {sample!r} is listed twice (first on line "
                                     f"{lines[sample]})")
                lines[sample] = number
                image = os.path.join(root, "JPEGImages", sample + ".jpg")
                mask = os.path.join(root, mask_dir, sample + ".png")
                for path, what in ((image, "image"), (mask, "mask")):
                    if not os.path.isfile(path):
                        missing.append(f"{where}: id {sample!r} has no {what}: {path} does "
                                       f"not exist")
                items.append((image, mask))
        if missing:
            raise FileNotFoundError(missing[0] + _more(len(missing) - 1, "missing files"))
        if not items:
            raise ValueError(f"VOC split file {split_file} lists no image ids")
        self._root, self._split = root, split
        super().__init__(items, transform, mask_decoder, allow_truncated=allow_truncated,
                         max_pixels=max_pixels)

    def __repr__(self) -> str:
        return f"VOCSegmentation({self._root!r}, split={self._split!r}, {len(self)} samples)"


class ListFileDataset(PairDataset):
    """Pairs listed in a text file, one ``image_path mask_path`` per line.

    Parameters
    ----------
    list_file : str or os.PathLike
        UTF-8 text. Empty lines and lines starting with ``#`` are skipped.
    root : str or os.PathLike, optional
        What relative paths are relative to; default the list file's folder. Absolute
        paths are used as they are.
    sep : str, optional
        What separates the two paths (for paths with spaces: ``","``, ``"\\t"``); the
        paths are stripped of surrounding spaces. Default: any run of whitespace.
    transform, mask_decoder, allow_truncated, max_pixels
        As ``SampleDataset``.

    Notes
    -----
    Samples come in the file's order. Errors name the list file and the line: a line
    without exactly two paths, a file that does not exist.
    """

    def __init__(self, list_file: PathLike, root: Optional[PathLike] = None,
                 sep: Optional[str] = None, *, transform: Optional[Callable] = None,
                 mask_decoder: Optional[Decoder] = None, allow_truncated: bool = False,
                 max_pixels: Optional[int] = None) -> None:
        if sep is not None and (not isinstance(sep, str) or not sep):
            raise ValueError(f"sep must be a non-empty string or None, but got {sep!r}")
        list_file = os.fspath(list_file)
        if os.path.isdir(list_file):
            raise IsADirectoryError(f"list file {list_file} is a folder, not a file")
        if not os.path.isfile(list_file):
            raise FileNotFoundError(f"list file {list_file} does not exist")
        base = os.path.dirname(os.path.abspath(list_file)) if root is None else os.fspath(root)
        between = "whitespace" if sep is None else repr(sep)
        items, missing = [], []
        with open(list_file, encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                text = line.strip()
                if not text or text.startswith("#"):
                    continue
                fields = text.split(sep) if sep is not None else text.split()
                fields = [f.strip() for f in fields]
                where = f"list file {list_file} line {number}"
                if len(fields) != 2 or not all(fields):
                    raise ValueError(f"{where}: expected an image path and a mask path "
                                     f"separated by {between}, but got {text!r}")
                image, mask = (os.path.join(base, f) for f in fields)
                for path, what in ((image, "image"), (mask, "mask")):
                    if not os.path.isfile(path):
                        missing.append(f"{where}: {what} file {path} does not exist")
                items.append((image, mask))
        if missing:
            raise FileNotFoundError(missing[0] + _more(len(missing) - 1, "missing files"))
        if not items:
            raise ValueError(f"list file {list_file} lists no image/mask pairs")
        self._list_file = list_file
        super().__init__(items, transform, mask_decoder, allow_truncated=allow_truncated,
                         max_pixels=max_pixels)

    def __repr__(self) -> str:
        return f"ListFileDataset({self._list_file!r}, {len(self)} samples)"
