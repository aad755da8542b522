"""Shared fixtures: the real photos of ../shared/data/real and coordinate-coded samples.

The tests run against whichever ``gluon_segaug`` Python imports: in CI, the wheel
installed into a fresh environment (``GLUON_SEGAUG_REQUIRE_INSTALLED=1`` then makes a
copy imported from this checkout an error, so a module missing from the wheel fails
here instead of being found in the source tree).
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
# The benchmark suite (``benchmarks/``) is not installed; appended, not prepended, so the
# installed gluon_segaug is still the one found first.
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))


def pytest_report_header(config):
    import gluon_segaug

    where = Path(gluon_segaug.__file__).resolve().parent
    if os.environ.get("GLUON_SEGAUG_REQUIRE_INSTALLED") == "1" and where == ROOT / "gluon_segaug":
        raise pytest.UsageError(f"gluon_segaug was imported from the checkout ({where}), not "
                                f"from the installed wheel: run pytest through the "
                                f"environment's own script, not `python -m pytest` from the "
                                f"repository root")
    return f"gluon_segaug {gluon_segaug.__version__} from {where}"
REAL = Path(os.environ.get("GLUON_SEGAUG_REAL_DATA", ROOT.parent / "shared" / "data" / "real"))
REAL_NAMES = ["giraffe"] + [f"voc{i}" for i in range(1, 7)]


def _real_or_skip() -> Path:
    if (REAL / "giraffe.jpg").is_file():
        return REAL
    reason = (f"real test photos not found at {REAL} (set GLUON_SEGAUG_REAL_DATA to the folder "
              f"holding giraffe.jpg and voc1..6.jpg with their _mask.png files)")
    if os.environ.get("GLUON_SEGAUG_REQUIRE_REAL_DATA") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def real_dir() -> Path:
    return _real_or_skip()


@pytest.fixture(scope="session")
def real_samples(real_dir):
    """[(name, image HWC uint8 numpy, mask HW uint8 class ids)] for every real photo."""
    import mxnet as mx
    from PIL import Image

    out = []
    for name in REAL_NAMES:
        image = mx.image.imread(str(real_dir / f"{name}.jpg")).asnumpy()
        with Image.open(real_dir / f"{name}_mask.png") as m:
            assert m.mode == "P"
            mask = np.array(m)
        out.append((name, image, mask))
    return out


def coord_image(h: int, w: int, dtype=np.float32) -> np.ndarray:
    """(h, w, 2) image whose channels are each pixel's own (x, y)."""
    ys, xs = np.mgrid[0:h, 0:w]
    return np.stack([xs, ys], axis=2).astype(dtype)


def coord_mask(h: int, w: int) -> np.ndarray:
    """(h, w) int32 mask whose value encodes the pixel's position, y * w + x."""
    return np.arange(h * w, dtype=np.int32).reshape(h, w)


def decode(mask: np.ndarray, w: int):
    """(x, y) from a ``coord_mask`` code."""
    return mask % w, mask // w


def warp_reference(src, matrix, size_wh, flag, fill=0, perspective=False):
    """OpenCV alone: interpolate with the edge replicated, then put ``fill`` where the
    nearest source pixel is outside (the library's documented border rule)."""
    import cv2

    warp = cv2.warpPerspective if perspective else cv2.warpAffine
    matrix = matrix if perspective else matrix[:2]
    out = warp(src, matrix, size_wh, flags=flag, borderMode=cv2.BORDER_REPLICATE)
    inside = warp(np.ones(src.shape[:2], np.uint8), matrix, size_wh, flags=cv2.INTER_NEAREST,
                  borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    out = out.reshape(out.shape[:2] + (-1,)) if src.ndim == 3 else out
    out[inside == 0] = fill
    return out


def remap_reference(src, map_x, map_y, flag, fill=0):
    """``warp_reference`` for per-pixel source maps."""
    import cv2

    out = cv2.remap(src, map_x, map_y, flag, borderMode=cv2.BORDER_REPLICATE)
    inside = cv2.remap(np.ones(src.shape[:2], np.uint8), map_x, map_y, cv2.INTER_NEAREST,
                       borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    out[inside == 0] = fill
    return out
