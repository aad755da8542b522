"""``python -m gluon_segaug``: the preview command, its help and its errors."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest
from PIL import Image

from gluon_segaug.cli import main

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(REPO, "data")


def _read_png(path):
    with Image.open(path) as png:
        png.load()
        return png.format, png.size


def test_preview_writes_a_readable_png(tmp_path, capsys):
    out = tmp_path / "g.png"
    assert main(["preview", DATA, "--n", "4", "--out", str(out), "--seed", "0"]) == 0
    fmt, (width, height) = _read_png(out)
    assert fmt == "PNG" and width > height > 100
    stdout = capsys.readouterr().out
    assert stdout == f"wrote 4 augmented samples of {DATA} to {out}\n"


def test_preview_relative_root_and_nested_out(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    out = tmp_path / "a" / "b" / "grid.png"
    assert main(["preview", "data", "--n", "10", "--size", "64", "--out", str(out)]) == 0
    assert _read_png(out)[0] == "PNG"
    assert capsys.readouterr().out.startswith("wrote 10 augmented samples of data to ")


def test_preview_same_seed_same_grid(tmp_path):
    paths = [tmp_path / name for name in ("a.png", "b.png", "c.png")]
    for path, seed in zip(paths, ("5", "5", "6")):
        assert main(["preview", DATA, "--n", "3", "--seed", seed, "--out", str(path)]) == 0
    assert paths[0].read_bytes() == paths[1].read_bytes()
    assert paths[0].read_bytes() != paths[2].read_bytes()


def test_missing_root_is_a_one_line_error(tmp_path, capsys):
    missing = tmp_path / "no_such_folder"
    out = tmp_path / "g.png"
    assert main(["preview", str(missing), "--out", str(out)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("error: ") and str(missing) in captured.err
    assert captured.err.count("\n") == 1 and "Traceback" not in captured.err
    assert not out.exists()


def test_root_without_pairs_is_an_error(tmp_path, capsys):
    (tmp_path / "lonely.jpg").write_bytes(b"")
    assert main(["preview", str(tmp_path), "--out", str(tmp_path / "g.png")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: image {tmp_path / 'lonely.jpg'} has no mask")


def test_root_that_is_a_file_is_an_error(tmp_path, capsys):
    readme = os.path.join(DATA, "README.md")
    assert main(["preview", readme, "--out", str(tmp_path / "g.png")]) == 2
    assert capsys.readouterr().err == (f"error: dataset folder {readme} is a file; give the "
                                       f"folder that holds the images and masks\n")


@pytest.mark.parametrize("argv, message", [
    (["preview", DATA, "--n", "0"], "argument --n: expected a positive integer, got '0'"),
    (["preview", DATA, "--size", "big"], "argument --size: expected a positive integer"),
    (["preview", DATA, "--seed", "-1"], "argument --seed: expected an integer >= 0"),
    (["preview"], "the following arguments are required: ROOT"),
    ([], "the following arguments are required: COMMAND"),
    (["shuffle"], "invalid choice: 'shuffle'"),
])
def test_bad_arguments_return_2_with_usage(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: python -m gluon_segaug") and message in err


def test_help_shows_an_example(capsys):
    assert main(["--help"]) == 0
    assert "python -m gluon_segaug preview data --n 8 --out preview.png" in capsys.readouterr().out
    assert main(["preview", "--help"]) == 0
    text = capsys.readouterr().out
    for option in ("ROOT", "--n N", "--out OUT", "--seed SEED", "--size SIZE", "examples:"):
        assert option in text


def test_python_dash_m_exit_status(tmp_path):
    missing = tmp_path / "nowhere"
    result = subprocess.run([sys.executable, "-m", "gluon_segaug", "preview", str(missing)],
                            cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == f"error: dataset folder {missing} does not exist"
    assert "Traceback" not in result.stderr


def test_preview_with_a_saved_pipeline(tmp_path, capsys):
    import gluon_segaug as gsa

    path = tmp_path / "p.json"
    gsa.save_pipeline(gsa.Compose([gsa.CenterCrop(64), gsa.VerticalFlip(p=1)], seed=9), str(path))
    out = tmp_path / "grid.png"
    assert main(["preview", DATA, "--n", "2", "--out", str(out), "--pipeline", str(path)]) == 0
    with Image.open(out) as grid:
        assert grid.size[0] > 0
    with_tensor = tmp_path / "t.json"
    gsa.save_pipeline(gsa.Compose([gsa.CenterCrop(64), gsa.ToTensor()]), str(with_tensor))
    assert main(["preview", DATA, "--pipeline", str(with_tensor), "--out", str(out)]) == 2
    assert "preview needs a pipeline of augmenters without ToTensor" in capsys.readouterr().err
    assert main(["preview", DATA, "--pipeline", str(tmp_path / "none.json"),
                 "--out", str(out)]) == 2
    assert f"cannot read pipeline {tmp_path / 'none.json'}" in capsys.readouterr().err


def test_preview_draws_masks_that_line_up_with_their_images(tmp_path):
    """On the arrays behind the grid: a checkerboard image with the same checkerboard as
    its mask must still agree after the default preview pipeline (rotation, crop, flip,
    brightness and contrast), away from the squares' edges."""
    import numpy as np

    from gluon_segaug.cli import preview_samples

    ys, xs = np.mgrid[0:120, 0:160]
    board = (((ys // 12) + (xs // 12)) % 2).astype(np.uint8)
    Image.fromarray(np.repeat(board[..., None] * 200 + 30, 3, axis=2).astype(np.uint8)).save(
        tmp_path / "board.png")
    Image.fromarray(board).save(tmp_path / "board_mask.png")
    pairs, titles = preview_samples(str(tmp_path), n=6, seed=1, size=96)
    assert titles[0].startswith("board.png")
    for image, mask in pairs:
        image, mask = image.asnumpy().astype(float), mask.asnumpy()
        bright = image.mean(axis=2) > image.mean()  # the jitter keeps the two levels apart
        labelled = mask != 255
        # Interior pixels: a 5x5 neighbourhood of one label.
        interior = labelled.copy()
        for dy in range(-2, 3):
            for dx in range(-2, 3):
                interior &= np.roll(np.roll(mask, dy, 0), dx, 1) == mask
        interior[:2], interior[-2:], interior[:, :2], interior[:, -2:] = False, False, False, False
        assert interior.sum() > 1000
        np.testing.assert_array_equal(bright[interior], mask[interior] == 1)
