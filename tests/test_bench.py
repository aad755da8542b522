"""The benchmark runs end to end in quick mode (speeds are reported, never asserted)."""
from __future__ import annotations

import pytest

from gluon_segaug.cli import main

pytest.importorskip("albumentations", reason="the benchmark's peer: pip install "
                                             "-c constraints.txt albumentations==1.3.1")


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # the peers' own
@pytest.mark.filterwarnings("ignore::UserWarning")
def test_quick_bench_writes_every_table_and_the_chart(real_dir, tmp_path, capsys):
    assert main(["bench", "--quick", "--real", str(real_dir), "--out", str(tmp_path)]) == 0
    report = (tmp_path / "results.md").read_text()
    for row in ("| rotate 15 | 427x640, image + mask |", "| elastic | 427x640, 13 bands + mask |",
                "| colour jitter |", "| tutorial | 427x640 | mx.image, as the tutorial |",
                "| standard | 427x640 | Albumentations 1.3.1 |",
                "| standard | 427x640 | gluon_segaug, fuse=False |",
                "| 2 | decode + augment |"):
        assert row in report, row
    with open(tmp_path / "ratios.png", "rb") as chart:
        assert chart.read(8) == b"\x89PNG\r\n\x1a\n"
    assert f"wrote {tmp_path / 'results.md'}" in capsys.readouterr().out


def test_bench_without_photos_says_where_to_find_them(tmp_path, capsys):
    assert main(["bench", "--quick", "--real", str(tmp_path), "--out", str(tmp_path)]) == 2
    assert "pass the folder of the real test photos" in capsys.readouterr().err
