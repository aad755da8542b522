"""Mask encodings: colours to class ids and back, id remapping, one-hot planes.

Holds
-----
ColorToClass
    (H, W, 3) colour masks (KITTI road, Cityscapes ``_color``, VOC rendered as RGB) to
    class ids, through a palette.
ClassToColor
    The inverse, for pictures: class ids to (H, W, 3) uint8 colours.
RemapLabels
    Class ids through a table: Cityscapes ids to train ids, ADE20K's shift by one, VOC's
    255 border to -1, or any dict.
one_hot
    Class ids to (num_classes, H, W) planes, ignored pixels all zeros.
CITYSCAPES_TRAIN_IDS
    The 19-class Cityscapes table, label id -> train id.
voc_palette
    PASCAL VOC's colours (``plot`` draws masks with them too).

The classes are small callables meant as a dataset's ``mask_decoder``: NumPy in, NumPy
out, the input never modified, no Python loop over pixels. They hold only arrays and
numbers, so they pickle into DataLoader workers.
"""
from __future__ import annotations

from typing import Any, Dict, Mapping, Optional, Sequence, Tuple, Union

import numpy as np

from ._checks import one_spelling

__all__ = ["ColorToClass", "ClassToColor", "RemapLabels", "one_hot", "CITYSCAPES_TRAIN_IDS",
           "voc_palette"]

Colour = Tuple[int, int, int]


def voc_palette(n: int = 256) -> np.ndarray:
    """The PASCAL VOC colour palette.

    Colour ``i`` spreads the bits of ``i`` over red, green and blue in turn, most
    significant bit of each channel first, so that small class ids get far-apart colours.

    Parameters
    ----------
    n : int
        Number of colours.

    Returns
    -------
    numpy.ndarray
        (n, 3) uint8.

    Examples
    --------
    >>> voc_palette(3)
    array([[  0,   0,   0],
           [128,   0,   0],
           [  0, 128,   0]], dtype=uint8)
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive int, but got {n!r}")
    index = np.arange(int(n), dtype=np.int64)
    palette = np.zeros((int(n), 3), dtype=np.int64)
    for bit in range(8):
        for channel in range(3):
            palette[:, channel] |= ((index >> (3 * bit + channel)) & 1) << (7 - bit)
    return palette.astype(np.uint8)
Palette = Union[Mapping[Colour, int], Sequence[Sequence[int]], np.ndarray]

# From the label table of cityscapesScripts (helpers/labels.py): the 19 classes that
# are evaluated, in train-id order. Every other id (void, and the rare classes such as
# caravan, trailer, guard rail) is ignored in training.
CITYSCAPES_TRAIN_IDS: Dict[int, int] = {
    7: 0,    # road
    8: 1,    # sidewalk
    11: 2,   # building
    12: 3,   # wall
    13: 4,   # fence
    17: 5,   # pole
    19: 6,   # traffic light
    20: 7,   # traffic sign
    21: 8,   # vegetation
    22: 9,   # terrain
    23: 10,  # sky
    24: 11,  # person
    25: 12,  # rider
    26: 13,  # car
    27: 14,  # truck
    28: 15,  # bus
    31: 16,  # train
    32: 17,  # motorcycle
    33: 18,  # bicycle
}

# Above this many entries a table is shown by its size, not spelt out, in a repr.
_REPR_ENTRIES = 8
# A palette's colours are looked up in a dense cube indexed by the rank of each channel's
# value among the palette's values of that channel, when the cube has at most this many
# cells (VOC's 256 colours need 9 x 9 x 5); beyond it, a binary search over colour codes.
_MAX_CUBE = 1 << 20
# Dense lookup tables for wide-integer masks are built over [min, max] of the mask when
# that span is at most this long; beyond it a binary search costs less than the table.
_MAX_DENSE_SPAN = 1 << 20


def _is_int(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def _integer_array(mask: Any, what: str) -> np.ndarray:
    array = np.asarray(mask)
    if array.dtype.kind not in "iu":
        raise TypeError(f"{what} must hold integer class ids, but got dtype {array.dtype}")
    return array


def _palette_entries(palette: Palette) -> Tuple[np.ndarray, np.ndarray]:
    """``(colours (K, 3) int64, ids (K,) int64)`` of a dict or a (K, 3) array palette."""
    if isinstance(palette, Mapping):
        if not palette:
            raise ValueError("palette must hold at least one colour, but got an empty dict")
        colours, ids = [], []
        for colour, class_id in palette.items():
            if (not isinstance(colour, (tuple, list)) or len(colour) != 3
                    or not all(_is_int(c) and 0 <= c <= 255 for c in colour)):
                raise ValueError(f"palette key {colour!r} must be an (r, g, b) colour of three "
                                 f"ints in 0..255")
            if not _is_int(class_id):
                raise ValueError(f"palette value for colour {tuple(colour)} must be an int "
                                 f"class id, but got {class_id!r}")
            colours.append([int(c) for c in colour])
            ids.append(int(class_id))
        return np.array(colours, np.int64), np.array(ids, np.int64)
    array = np.asarray(palette)
    if array.ndim != 2 or array.shape[1] != 3 or len(array) == 0:
        raise ValueError(f"palette must be a dict {{(r, g, b): id}} or a (K, 3) array of "
                         f"colours with K >= 1, but got shape {array.shape}")
    if array.dtype.kind not in "iu":
        raise ValueError(f"palette colours must be integers, but got dtype {array.dtype}")
    if array.min() < 0 or array.max() > 255:
        raise ValueError(f"palette colours must lie in 0..255, but got values from "
                         f"{array.min()} to {array.max()}")
    return array.astype(np.int64), np.arange(len(array), dtype=np.int64)


def _codes(colours: np.ndarray) -> np.ndarray:
    """One int32 per colour, ``r << 16 | g << 8 | b``: a colour compare becomes an int
    compare, and a sorted palette can be searched."""
    c = colours.astype(np.int32)
    return (c[..., 0] << 16) | (c[..., 1] << 8) | c[..., 2]


def _colour_of(code: int) -> Colour:
    return (int(code) >> 16 & 255, int(code) >> 8 & 255, int(code) & 255)


def _fits(values: np.ndarray, dtype: np.dtype) -> bool:
    info = np.iinfo(dtype)
    return values.size == 0 or (int(values.min()) >= info.min and int(values.max()) <= info.max)


def _table_repr(entries: Dict[Any, int], size: int, noun: str) -> str:
    return repr(entries) if size <= _REPR_ENTRIES else f"<{size} {noun}>"


class ColorToClass:
    """Colour mask to class ids, through a palette.

    Parameters
    ----------
    palette : dict {(r, g, b): id} or (K, 3) array-like
        The colour of each class; for an array, the class id is the row index. A colour
        may appear only once; several colours may share an id.
    unknown : int or None
        The id of colours that are not in the palette (255, the usual ignore index).
        ``None`` makes them an error instead.

    Notes
    -----
    Input: an (H, W, 3) integer colour mask with values in 0..255 (``read_mask`` gives
    RGB and RGBA masks so). Output: (H, W) ids, uint8 when every id (``unknown``
    included) lies in 0..255, else int32.

    Examples
    --------
    >>> decode = ColorToClass({(255, 0, 0): 0, (255, 0, 255): 1})
    >>> colours = np.array([[[255, 0, 0], [255, 0, 255], [0, 0, 0]],
    ...                     [[255, 0, 255], [255, 0, 255], [255, 0, 0]]], np.uint8)
    >>> decode(colours)
    array([[  0,   1, 255],
           [  1,   1,   0]], dtype=uint8)
    """

    def __init__(self, palette: Palette, unknown: Optional[int] = 255) -> None:
        if unknown is not None and not _is_int(unknown):
            raise ValueError(f"unknown must be an int class id or None, but got {unknown!r}")
        colours, ids = _palette_entries(palette)
        codes = _codes(colours)
        order = np.argsort(codes, kind="stable")
        codes, ids = codes[order], ids[order]
        same = np.flatnonzero(codes[1:] == codes[:-1])
        if same.size:
            i = same[0]
            raise ValueError(f"palette colour {_colour_of(codes[i])} is given twice, for ids "
                             f"{ids[i]} and {ids[i + 1]}; a colour must name one class")
        every = ids if unknown is None else np.append(ids, unknown)
        if _fits(every, np.dtype(np.uint8)):
            dtype = np.dtype(np.uint8)
        elif _fits(every, np.dtype(np.int32)):
            dtype = np.dtype(np.int32)
        else:
            raise ValueError(f"class ids must fit int32, but got ids from {every.min()} "
                             f"to {every.max()}")
        self.unknown = None if unknown is None else int(unknown)
        self.dtype = dtype
        self._codes = codes
        self._ids = ids.astype(dtype)
        self._luts, self._cube, self._known = self._build_cube(colours[order])
        for array in (self._codes, self._ids, self._luts, self._cube, self._known):
            if array is not None:
                array.setflags(write=False)  # a default argument elsewhere: keep it constant

    def _build_cube(self, colours: np.ndarray) -> Tuple[Optional[np.ndarray], ...]:
        """Per-channel tables value -> rank * stride, and the cube of ids they index."""
        levels = [np.unique(colours[:, c]) for c in range(3)]
        sizes = [len(values) + 1 for values in levels]  # the last rank: not in the palette
        if sizes[0] * sizes[1] * sizes[2] > _MAX_CUBE:
            return None, None, None
        strides = (sizes[1] * sizes[2], sizes[2], 1)
        luts = np.empty((3, 256), np.int32)
        for c in range(3):
            luts[c] = len(levels[c]) * strides[c]
            luts[c, levels[c]] = np.arange(len(levels[c])) * strides[c]
        cells = luts[0, colours[:, 0]] + luts[1, colours[:, 1]] + luts[2, colours[:, 2]]
        cube = np.full(sizes[0] * sizes[1] * sizes[2], self.unknown or 0, self.dtype)
        cube[cells] = self._ids
        known = np.zeros(cube.shape, bool)
        known[cells] = True
        return luts, cube, known

    @property
    def palette(self) -> Dict[Colour, int]:
        """``{(r, g, b): id}``, sorted by colour code."""
        return {_colour_of(c): int(i) for c, i in zip(self._codes, self._ids)}

    def __call__(self, mask: np.ndarray) -> np.ndarray:
        array = _integer_array(mask, "colour mask")
        if array.ndim != 3 or array.shape[2] != 3:
            raise ValueError(f"colour mask must be (H, W, 3), but got shape {array.shape}")
        if array.dtype != np.uint8 and array.size and (array.min() < 0 or array.max() > 255):
            raise ValueError(f"colour mask values must lie in 0..255, but got values from "
                             f"{array.min()} to {array.max()}")
        if self._cube is not None:
            rgb = array if array.dtype == np.uint8 else array.astype(np.uint8)
            cells = self._luts[0][rgb[..., 0]]
            cells += self._luts[1][rgb[..., 1]]
            cells += self._luts[2][rgb[..., 2]]
            out = self._cube[cells]  # unknown colours already hold `unknown`
            if self.unknown is not None:
                return out
            found = self._known[cells]
        else:
            pos = np.minimum(np.searchsorted(self._codes, _codes(array)), len(self._codes) - 1)
            found = self._codes[pos] == _codes(array)
            out = self._ids[pos]  # fancy indexing: a new array, the input stays as it was
            if self.unknown is not None:
                out[~found] = self.unknown
        if self.unknown is None and not found.all():
            values, counts = np.unique(_codes(array[~found]), return_counts=True)
            top = int(np.argmax(counts))
            raise ValueError(f"colour {_colour_of(values[top])} of {counts[top]} pixels is not "
                             f"in the palette ({len(values)} unknown colours, {counts.sum()} "
                             f"pixels in all); give unknown=<id> to map such colours to an id")
        return out

    def __repr__(self) -> str:
        table = _table_repr(self.palette, len(self._codes), "colours")
        return f"ColorToClass({table}, unknown={self.unknown!r})"

    @classmethod
    def voc(cls, num_classes: int = 21, unknown: Optional[int] = 255) -> "ColorToClass":
        """PASCAL VOC's colours: ``voc_palette`` rows 0..num_classes-1 as those ids, and
        the border colour (224, 224, 192) as 255.

        >>> ColorToClass.voc()(np.array([[[128, 0, 0], [224, 224, 192]]], np.uint8))
        array([[  1, 255]], dtype=uint8)
        """
        if not _is_int(num_classes) or not 1 <= num_classes <= 255:
            raise ValueError(f"num_classes must be an int in 1..255 (255 is the border), "
                             f"but got {num_classes!r}")
        colours = voc_palette(256)
        palette = {tuple(int(c) for c in colours[i]): i for i in range(num_classes)}
        palette[tuple(int(c) for c in colours[255])] = 255
        return cls(palette, unknown=unknown)


class ClassToColor:
    """Class ids to colours, for pictures (the inverse of ``ColorToClass``).

    Parameters
    ----------
    palette : dict {(r, g, b): id} or (K, 3) array-like
        As ``ColorToClass`` takes it. When several colours share an id, the first one
        given draws it.
    ignore_index : int or None
        The id drawn in ``ignore_color``, whatever the palette says of it (255).
    ignore_color : (r, g, b)
        White by default. ``ignore_colour``, the first releases' spelling, is accepted
        instead (not both).

    Notes
    -----
    Input: integer ids of any shape. Output: that shape plus a last axis of 3, uint8. An
    id that is neither in the palette nor ``ignore_index`` is an error that names it.

    Examples
    --------
    >>> ClassToColor([(255, 0, 0), (255, 0, 255)])(np.array([[1, 255]]))
    array([[[255,   0, 255],
            [255, 255, 255]]], dtype=uint8)
    """

    def __init__(self, palette: Palette, ignore_index: Optional[int] = 255,
                 ignore_color: Optional[Colour] = None,
                 ignore_colour: Optional[Colour] = None) -> None:
        ignore_color, name = one_spelling(ignore_color, ignore_colour, "ignore_color",
                                          "ignore_colour", (255, 255, 255))
        if ignore_index is not None and not _is_int(ignore_index):
            raise ValueError(f"ignore_index must be an int or None, but got {ignore_index!r}")
        if (not isinstance(ignore_color, (tuple, list)) or len(ignore_color) != 3
                or not all(_is_int(c) and 0 <= c <= 255 for c in ignore_color)):
            raise ValueError(f"{name} must be an (r, g, b) colour of three ints in "
                             f"0..255, but got {ignore_color!r}")
        colours, ids = _palette_entries(palette)
        if ignore_index is not None:
            keep = ids != ignore_index
            colours = np.concatenate([[list(ignore_color)], colours[keep]])
            ids = np.concatenate([[ignore_index], ids[keep]])
        # Unique keeps the first index of each id, so the first colour given wins.
        self._ids, first = np.unique(ids, return_index=True)
        self._colours = colours[first].astype(np.uint8)
        self.ignore_index = None if ignore_index is None else int(ignore_index)
        self.ignore_color = tuple(int(c) for c in ignore_color)

    @property
    def ignore_colour(self) -> Colour:
        """``ignore_color``, by its name in the first releases."""
        return self.ignore_color

    def __call__(self, mask: np.ndarray) -> np.ndarray:
        ids = _integer_array(mask, "mask")
        if ids.size == 0:
            return np.zeros(ids.shape + (3,), np.uint8)
        lo, hi = int(ids.min()), int(ids.max())
        if hi - lo < _MAX_DENSE_SPAN:
            inside = (self._ids >= lo) & (self._ids <= hi)
            table = np.full(hi - lo + 1, -1, np.intp)
            table[self._ids[inside] - lo] = np.flatnonzero(inside)
            pos = table[ids - ids.dtype.type(lo)]
            found = pos >= 0
        else:
            pos = np.minimum(np.searchsorted(self._ids, ids), len(self._ids) - 1)
            found = self._ids[pos] == ids
        if not found.all():
            values, counts = np.unique(ids[~found], return_counts=True)
            raise ValueError(f"class id {values[0]} of {counts[0]} pixels has no colour in the "
                             f"palette ({len(values)} such ids, {counts.sum()} pixels in all; "
                             f"the palette holds ids {self._ids.min()}..{self._ids.max()})")
        return self._colours[pos]

    def __repr__(self) -> str:
        entries = {_colour_of(c): int(i) for c, i in zip(_codes(self._colours), self._ids)}
        table = _table_repr(entries, len(self._ids), "colours")
        # The old spelling, which the constructor still takes: the repr of the first
        # releases, kept as it was.
        return (f"ClassToColor({table}, ignore_index={self.ignore_index!r}, "
                f"ignore_colour={self.ignore_color})")

    @classmethod
    def voc(cls) -> "ClassToColor":
        """The 256 colours of VOC's palette PNGs, 255 drawn as VOC draws it (224, 224, 192).

        >>> ClassToColor.voc()(np.array([[2, 255]], np.uint8)).tolist()
        [[[0, 128, 0], [224, 224, 192]]]
        """
        return cls(voc_palette(256), ignore_index=None)


class RemapLabels:
    """Class ids through a table.

    Parameters
    ----------
    mapping : dict {old: new} or 1-D array-like
        For an array, ``old`` is the index: id ``i`` becomes ``mapping[i]``.
    default : int, optional
        What ids the mapping does not hold become. Without it they keep their value.
    dtype : numpy dtype, optional
        The output's integer dtype. By default the input's when every new id (and
        ``default``) fits it, else int32 (int64 if int32 cannot hold them): a uint8 mask
        whose 255 maps to -1 comes back as int32.

    Notes
    -----
    Input: integer ids of any shape and dtype; output: same shape. The work is one table
    lookup (a binary search for masks of ids spread wider than 2**20).

    Examples
    --------
    >>> RemapLabels({255: -1})(np.array([[0, 7, 255]], np.uint8))
    array([[ 0,  7, -1]], dtype=int32)
    >>> RemapLabels([3, 2], default=0)(np.array([[0, 1, 9]]))
    array([[3, 2, 0]])
    """

    def __init__(self, mapping: Union[Mapping[int, int], Sequence[int], np.ndarray],
                 default: Optional[int] = None, dtype: Optional[Any] = None) -> None:
        if isinstance(mapping, Mapping):
            for old, new in mapping.items():
                if not _is_int(old) or not _is_int(new):
                    raise ValueError(f"mapping must map int ids to int ids, but got "
                                     f"{old!r}: {new!r}")
            keys = np.array(sorted(int(k) for k in mapping), np.int64)
            values = np.array([int(mapping[k]) for k in keys], np.int64)
        else:
            array = np.asarray(mapping)
            if array.ndim != 1 or array.dtype.kind not in "iu":
                raise ValueError(f"mapping must be a dict or a 1-D array of int ids, but got "
                                 f"shape {array.shape} of dtype {array.dtype}")
            keys, values = np.arange(len(array), dtype=np.int64), array.astype(np.int64)
        if default is not None and not _is_int(default):
            raise ValueError(f"default must be an int id or None, but got {default!r}")
        targets = values if default is None else np.append(values, default)
        if dtype is not None:
            dtype = np.dtype(dtype)
            if dtype.kind not in "iu":
                raise ValueError(f"dtype must be an integer dtype, but got {dtype}")
            if not _fits(targets, dtype):
                bad = targets[(targets < np.iinfo(dtype).min) | (targets > np.iinfo(dtype).max)]
                raise ValueError(f"new id {bad[0]} does not fit dtype {dtype}")
        self.default = None if default is None else int(default)
        self.dtype = dtype
        self._keys, self._values, self._targets = keys, values, targets
        self._tables: Dict[np.dtype, np.ndarray] = {}

    def _out_dtype(self, in_dtype: np.dtype) -> np.dtype:
        if self.dtype is not None:
            return self.dtype
        if _fits(self._targets, in_dtype):
            return in_dtype
        kept = (np.array([np.iinfo(in_dtype).min, np.iinfo(in_dtype).max], np.int64)
                if self.default is None and in_dtype != np.uint64 else np.zeros(0, np.int64))
        both = np.concatenate([self._targets, kept])
        return np.dtype(np.int32) if _fits(both, np.dtype(np.int32)) else np.dtype(np.int64)

    def _table(self, lo: int, hi: int) -> np.ndarray:
        """New ids of ``lo..hi`` as int64."""
        if self.default is None:
            table = np.arange(lo, hi + 1, dtype=np.int64)
        else:
            table = np.full(hi - lo + 1, self.default, np.int64)
        inside = (self._keys >= lo) & (self._keys <= hi)
        table[self._keys[inside] - lo] = self._values[inside]
        return table

    def _check_kept(self, new: np.ndarray, out_dtype: np.dtype) -> None:
        # Only kept (unmapped) ids can fall outside an explicit dtype: new ids were
        # checked in __init__.
        if not _fits(new, out_dtype):
            info = np.iinfo(out_dtype)
            bad = new[(new < info.min) | (new > info.max)]
            raise ValueError(f"mask id {bad[0]} is not in the mapping and does not fit dtype "
                             f"{out_dtype}; give default=<id> or a wider dtype")

    def __call__(self, mask: np.ndarray) -> np.ndarray:
        ids = _integer_array(mask, "mask")
        out_dtype = self._out_dtype(ids.dtype)
        if ids.dtype.itemsize <= 2:
            # Every value of a narrow dtype fits one small table, built once per dtype.
            table = self._tables.get(ids.dtype)
            if table is None:
                info = np.iinfo(ids.dtype)
                table = self._table(int(info.min), int(info.max))
                # Kept ids that do not fit an explicit dtype may not occur in the masks
                # met: such a table stays int64 and each mask is checked.
                table = table.astype(out_dtype) if _fits(table, out_dtype) else table
                table = self._tables.setdefault(ids.dtype, table)
            offset = np.iinfo(ids.dtype).min
            new = table[ids.astype(np.int32) - offset] if offset else table[ids]
        elif ids.size == 0:
            return np.zeros(ids.shape, out_dtype)
        else:
            lo, hi = int(ids.min()), int(ids.max())
            if hi - lo < _MAX_DENSE_SPAN:
                table = self._table(lo, hi)
                table = table.astype(out_dtype) if _fits(table, out_dtype) else table
                # The difference fits the input dtype even where ids - lo wraps around.
                new = table[ids - ids.dtype.type(lo)]
            else:
                last = max(len(self._keys) - 1, 0)
                pos = np.minimum(np.searchsorted(self._keys, ids), last)
                found = (self._keys[pos] == ids if len(self._keys)
                         else np.zeros(ids.shape, bool))
                fallback = ids.astype(np.int64) if self.default is None else self.default
                new = np.where(found, self._values[pos] if len(self._keys) else 0, fallback)
        if new.dtype != out_dtype:
            self._check_kept(new, out_dtype)
            new = new.astype(out_dtype)
        return new

    def __repr__(self) -> str:
        entries = {int(k): int(v) for k, v in zip(self._keys, self._values)}
        table = _table_repr(entries, len(self._keys), "entries")
        extra = "" if self.default is None else f", default={self.default}"
        extra += "" if self.dtype is None else f", dtype={self.dtype.name}"
        return f"RemapLabels({table}{extra})"

    @classmethod
    def ade20k(cls) -> "RemapLabels":
        """ADE20K (SceneParsing) ids to training ids: 0 ("other") becomes 255, id k in
        1..254 becomes k - 1, 255 stays 255 (mmsegmentation's ``reduce_zero_label``).

        >>> RemapLabels.ade20k()(np.array([[0, 1, 150, 255]], np.uint8))
        array([[255,   0, 149, 255]], dtype=uint8)
        """
        table = np.arange(-1, 255, dtype=np.int64)
        table[0] = table[255] = 255
        return cls(table)

    @classmethod
    def cityscapes_train_ids(cls) -> "RemapLabels":
        """Cityscapes label ids (``*_gtFine_labelIds.png``) to the 19 train ids of
        ``CITYSCAPES_TRAIN_IDS``; every other id becomes 255.

        >>> RemapLabels.cityscapes_train_ids()(np.array([[7, 26, 0, 33]], np.uint8))
        array([[  0,  13, 255,  18]], dtype=uint8)
        """
        return cls(CITYSCAPES_TRAIN_IDS, default=255)

    @classmethod
    def voc_ignore_to(cls, value: int = -1) -> "RemapLabels":
        """PASCAL VOC's 255 border to ``value``, other ids kept. A uint8 mask comes back
        as int32 when ``value`` is outside 0..255 (``-1``, GluonCV's ignore)."""
        if not _is_int(value):
            raise ValueError(f"value must be an int, but got {value!r}")
        return cls({255: int(value)})


def one_hot(mask: np.ndarray, num_classes: int, ignore_index: Optional[int] = 255,
            dtype: Any = np.float32) -> np.ndarray:
    """Class ids to one plane per class.

    Parameters
    ----------
    mask : numpy.ndarray
        Integer ids, (H, W) (any shape works: the planes are stacked in front of it).
    num_classes : int
    ignore_index : int or None
        Pixels of this id are all zeros in every plane, even when it is below
        ``num_classes``.
    dtype : numpy dtype

    Returns
    -------
    numpy.ndarray
        (num_classes, H, W): 1 in the plane of each pixel's id, else 0. An id outside
        ``0..num_classes-1`` that is not ``ignore_index`` is an error that names it.

    Examples
    --------
    >>> one_hot(np.array([[0, 2, 255]]), 3)
    array([[[1., 0., 0.]],
    <BLANKLINE>
           [[0., 0., 0.]],
    <BLANKLINE>
           [[0., 1., 0.]]], dtype=float32)
    """
    if not _is_int(num_classes) or num_classes < 1:
        raise ValueError(f"num_classes must be a positive int, but got {num_classes!r}")
    if ignore_index is not None and not _is_int(ignore_index):
        raise ValueError(f"ignore_index must be an int or None, but got {ignore_index!r}")
    ids = _integer_array(mask, "mask").astype(np.int64).ravel()
    valid = np.ones(ids.shape, bool) if ignore_index is None else ids != ignore_index
    bad = valid & ((ids < 0) | (ids >= num_classes))
    if bad.any():
        values = np.unique(ids[bad])
        raise ValueError(f"mask holds id {values[0]} ({np.count_nonzero(ids == values[0])} "
                         f"pixels), outside the classes 0..{num_classes - 1} and not "
                         f"ignore_index ({ignore_index}); {len(values)} such ids in all")
    out = np.zeros((int(num_classes), ids.size), dtype=dtype)
    pixels = np.flatnonzero(valid)
    out[ids[pixels], pixels] = 1
    return out.reshape((int(num_classes),) + np.shape(mask))


# The spelling of the first releases; saved pipelines and old code keep working.
ColourToClass = ColorToClass
ClassToColour = ClassToColor
