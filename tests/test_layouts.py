"""The on-disk layouts: each built in tmp_path from the real photos, read back exactly,
and every error case with its message."""
from __future__ import annotations

import os
import pickle
import shutil

import mxnet as mx
import numpy as np
import pytest
from PIL import Image

from gluon_segaug.encodings import RemapLabels
from gluon_segaug.layouts import (Cityscapes, KITTIRoad, ListFileDataset, PairedFolders,
                                  VOCSegmentation)

RED, MAGENTA, BLACK = (255, 0, 0), (255, 0, 255), (0, 0, 0)


def photo(real_dir, name):
    """The real photo as mx.image.imread decodes it: what a lossless copy must give back."""
    return mx.image.imread(str(real_dir / f"{name}.jpg")).asnumpy()


def class_map(real_dir, name):
    with Image.open(real_dir / f"{name}_mask.png") as img:
        return np.array(img)


def save_png(array, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(array).save(path)


def tiny_pair(image_path, mask_path, h=6, w=8, mask_hw=None):
    """A small random pair, for the error cases (they do not need the real photos)."""
    rng = np.random.default_rng(abs(hash(str(image_path))) % 2**32)
    save_png(rng.integers(0, 256, (h, w, 3)).astype(np.uint8), image_path)
    save_png(rng.integers(0, 3, mask_hw or (h, w)).astype(np.uint8), mask_path)


def check_sample(sample, image, mask):
    got_image, got_mask = sample
    assert isinstance(got_image, mx.nd.NDArray) and got_image.dtype == np.uint8
    assert isinstance(got_mask, mx.nd.NDArray)
    np.testing.assert_array_equal(got_image.asnumpy(), image)
    assert got_mask.dtype == mask.dtype
    np.testing.assert_array_equal(got_mask.asnumpy(), mask)


# VOCSegmentation ------------------------------------------------------------------------

def voc_tree(root, real_dir, ids=(1, 2, 3)):
    for folder in ("JPEGImages", "SegmentationClass", "ImageSets/Segmentation"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    for i in ids:
        shutil.copy(real_dir / f"voc{i}.jpg", root / "JPEGImages" / f"2008_00000{i}.jpg")
        shutil.copy(real_dir / f"voc{i}_mask.png",
                    root / "SegmentationClass" / f"2008_00000{i}.png")


def test_voc_reads_the_split_in_its_order(tmp_path, real_dir):
    voc_tree(tmp_path, real_dir)
    (tmp_path / "ImageSets/Segmentation/train.txt").write_text("2008_000003\n\n2008_000001\n")
    ds = VOCSegmentation(tmp_path)
    assert len(ds) == 2
    assert repr(ds) == f"VOCSegmentation({str(tmp_path)!r}, split='train', 2 samples)"
    assert [os.path.basename(m) for _, m in ds.items] == ["2008_000003.png", "2008_000001.png"]
    for sample, i in zip(ds, (3, 1)):
        check_sample(sample, photo(real_dir, f"voc{i}"), class_map(real_dir, f"voc{i}"))


def test_voc_border_to_minus_one_with_a_decoder(tmp_path, real_dir):
    voc_tree(tmp_path, real_dir, ids=(1,))
    (tmp_path / "ImageSets/Segmentation/val.txt").write_text("2008_000001\n")
    ids = class_map(real_dir, "voc1")
    with Image.open(real_dir / "voc1_mask.png") as img:
        bordered = img.copy()
    bordered.paste(255, (0, 0, ids.shape[1], 2))  # a two-row 255 border, VOC style
    bordered.save(tmp_path / "SegmentationClass/2008_000001.png")
    _, mask = VOCSegmentation(tmp_path, "val", mask_decoder=RemapLabels.voc_ignore_to(-1))[0]
    expected = ids.astype(np.int32)
    expected[:2] = -1
    assert mask.dtype == np.int32
    np.testing.assert_array_equal(mask.asnumpy(), expected)


def test_voc_id_without_files_names_the_file_and_the_split(tmp_path):
    tiny_pair(tmp_path / "JPEGImages/a.jpg", tmp_path / "SegmentationClass/a.png")
    tiny_pair(tmp_path / "JPEGImages/b.jpg", tmp_path / "SegmentationClass/b.png")
    split = tmp_path / "ImageSets/Segmentation/train.txt"
    split.parent.mkdir(parents=True)
    split.write_text("a\nb\nc\n")
    (tmp_path / "SegmentationClass/b.png").unlink()
    with pytest.raises(FileNotFoundError, match=rf"VOC split file {split} line 2: id 'b' has no "
                                                rf"mask: {tmp_path}/SegmentationClass/b.png does "
                                                rf"not exist \(2 more missing files\)"):
        VOCSegmentation(tmp_path)


def test_voc_split_file_errors(tmp_path):
    tiny_pair(tmp_path / "JPEGImages/a.jpg", tmp_path / "SegmentationClass/a.png")
    split_dir = tmp_path / "ImageSets/Segmentation"
    split_dir.mkdir(parents=True)
    (split_dir / "train.txt").write_text("\n\n")
    with pytest.raises(ValueError, match=rf"VOC split file {split_dir}/train.txt lists no "
                                         rf"image ids"):
        VOCSegmentation(tmp_path)
    with pytest.raises(FileNotFoundError, match=rf"VOC split file {split_dir}/val.txt does not "
                                                rf"exist \(splits there: train\)"):
        VOCSegmentation(tmp_path, "val")
    (split_dir / "train.txt").write_text("a\nb c\n")
    with pytest.raises(ValueError, match=rf"{split_dir}/train.txt line 2: expected one image id, "
                                         rf"but got 'b c'"):
        VOCSegmentation(tmp_path)
    (split_dir / "train.txt").write_text("a\n\na\n")
    with pytest.raises(ValueError, match=r"train.txt line 3: id 'a' is listed twice \(first on "
                                         r"line 1\)"):
        VOCSegmentation(tmp_path)
    with pytest.raises(FileNotFoundError, match=rf"VOC folder {tmp_path}/nope does not exist"):
        VOCSegmentation(tmp_path / "nope")


# KITTIRoad ------------------------------------------------------------------------------

def kitti_colours(ids, road_class):
    """A VOC class map drawn as KITTI road ground truth: background red, one class magenta,
    other classes black (no ground truth), and a stripe of a colour KITTI never uses."""
    colours = np.zeros(ids.shape + (3,), np.uint8)
    colours[ids == 0] = RED
    colours[ids == road_class] = MAGENTA
    colours[5:8, 10:60] = (10, 20, 30)
    return colours


def kitti_tree(root, real_dir):
    """um_000001..3 from voc1..3 with um_lane ground truth, um_road ground truth for the
    same images, and one umm image with its umm_road ground truth."""
    expected = {}
    for i in (1, 2, 3):
        ids = class_map(real_dir, f"voc{i}")
        road_class = int(ids.max())
        save_png(photo(real_dir, f"voc{i}"), root / "training/image_2" / f"um_00000{i}.png")
        colours = kitti_colours(ids, road_class)
        save_png(colours, root / "training/gt_image_2" / f"um_lane_00000{i}.png")
        save_png(np.full_like(colours, 255), root / "training/gt_image_2" / f"um_road_00000{i}.png")
        # Written by hand, without the decoder: red 0, magenta 1, everything else 255.
        decoded = np.full(ids.shape, 255, np.uint8)
        decoded[ids == 0] = 0
        decoded[ids == road_class] = 1
        decoded[5:8, 10:60] = 255
        expected[i] = (colours, decoded)
    save_png(photo(real_dir, "voc4"), root / "training/image_2/umm_000000.png")
    save_png(kitti_colours(class_map(real_dir, "voc4"), 1),
             root / "training/gt_image_2/umm_road_000000.png")
    return expected


def test_kitti_decodes_the_colour_ground_truth(tmp_path, real_dir):
    expected = kitti_tree(tmp_path, real_dir)
    ds = KITTIRoad(tmp_path)
    assert [os.path.basename(m) for _, m in ds.items] == [
        "um_lane_000001.png", "um_lane_000002.png", "um_lane_000003.png"]
    for i, sample in zip((1, 2, 3), ds):
        check_sample(sample, photo(real_dir, f"voc{i}"), expected[i][1])
    raw = KITTIRoad(tmp_path, mask_decoder=None)
    check_sample(raw[1], photo(real_dir, "voc2"), expected[2][0])
    # The default decoder goes with the dataset into DataLoader workers.
    check_sample(pickle.loads(pickle.dumps(ds))[2], photo(real_dir, "voc3"), expected[3][1])


def test_kitti_categories_pick_their_scene_and_ground_truth(tmp_path, real_dir):
    kitti_tree(tmp_path, real_dir)
    road = KITTIRoad(tmp_path, category="um_road")
    assert len(road) == 3 and set(np.unique(road[0][1].asnumpy())) == {255}
    umm = KITTIRoad(tmp_path, category="umm_road")
    assert [os.path.basename(i) for i, _ in umm.items] == ["umm_000000.png"]
    assert repr(umm) == (f"KITTIRoad({str(tmp_path)!r}, split='training', "
                         f"category='umm_road', 1 samples)")


def test_kitti_errors_name_the_files(tmp_path):
    image_dir, gt_dir = tmp_path / "training/image_2", tmp_path / "training/gt_image_2"
    tiny_pair(image_dir / "um_000000.png", gt_dir / "um_lane_000000.png")
    tiny_pair(image_dir / "um_000001.png", gt_dir / "um_lane_000001.png")
    (gt_dir / "um_lane_000001.png").unlink()
    with pytest.raises(ValueError, match=rf"image {image_dir}/um_000001.png has no mask: "
                                         rf"expected {gt_dir}/um_lane_000001.png$"):
        KITTIRoad(tmp_path)
    (image_dir / "um_000001.png").unlink()
    tiny_pair(tmp_path / "spare.png", gt_dir / "um_lane_000009.png")
    with pytest.raises(ValueError, match=rf"mask {gt_dir}/um_lane_000009.png has no image: "
                                         rf"expected {image_dir}/um_000009.png"):
        KITTIRoad(tmp_path)
    with pytest.raises(ValueError, match=rf"KITTI road image folder {image_dir} has no uu_\*.png "
                                         rf"images \(category uu_road\)"):
        KITTIRoad(tmp_path, category="uu_road")
    with pytest.raises(ValueError, match=r"category must be one of um_lane, um_road, umm_road, "
                                         r"uu_road, but got 'lane'"):
        KITTIRoad(tmp_path, category="lane")
    (tmp_path / "testing/image_2").mkdir(parents=True)
    with pytest.raises(FileNotFoundError, match=rf"KITTI road ground truth folder "
                                                rf"{tmp_path}/testing/gt_image_2 does not exist "
                                                rf"\(KITTI publishes ground truth for the "
                                                rf"training split only\)"):
        KITTIRoad(tmp_path, split="testing")


# Cityscapes -----------------------------------------------------------------------------

# VOC classes of the real masks as Cityscapes label ids: background -> road (7), bus (6) ->
# bus (28), car (7) -> car (26), person (15) -> person (24), the rest (5 bottle, 3 bird,
# 1 aeroplane) -> ids without a train id: static (4), caravan (29), and 33 bicycle.
VOC_TO_LABEL = {0: 7, 6: 28, 7: 26, 15: 24, 5: 4, 3: 29, 1: 33}
# Train ids written out from the Cityscapes label table for the ids used here.
LABEL_TO_TRAIN = {7: 0, 28: 15, 26: 13, 24: 11, 4: 255, 29: 255, 33: 18, 23: 10, 0: 255}


def label_ids(ids):
    out = np.zeros_like(ids)
    for voc, label in VOC_TO_LABEL.items():
        out[ids == voc] = label
    out[:4, :20] = 23  # a patch of sky
    out[-3:] = 0  # unlabeled
    return out


def cityscapes_tree(root, real_dir):
    """aachen: voc3, voc1; bochum: voc2. Beside each labelIds file, a colour picture and a
    polygons file, which the dataset must leave alone."""
    expected = {}
    for city, frame, i in (("bochum", "000000_000019", 2), ("aachen", "000001_000019", 1),
                           ("aachen", "000000_000019", 3)):
        stem = f"{city}_{frame}"
        save_png(photo(real_dir, f"voc{i}"), root / "leftImg8bit/train" / city /
                 f"{stem}_leftImg8bit.png")
        labels = label_ids(class_map(real_dir, f"voc{i}"))
        gt = root / "gtFine/train" / city
        save_png(labels, gt / f"{stem}_gtFine_labelIds.png")
        save_png(np.dstack([labels] * 3), gt / f"{stem}_gtFine_color.png")
        (gt / f"{stem}_gtFine_polygons.json").write_text("{}")
        expected[stem] = (i, labels)
    return expected


def test_cityscapes_maps_label_ids_to_train_ids(tmp_path, real_dir):
    expected = cityscapes_tree(tmp_path, real_dir)
    ds = Cityscapes(tmp_path)
    stems = ["aachen_000000_000019", "aachen_000001_000019", "bochum_000000_000019"]
    assert [os.path.basename(i)[:-len("_leftImg8bit.png")] for i, _ in ds.items] == stems
    for stem, sample in zip(stems, ds):
        i, labels = expected[stem]
        train = np.full(labels.shape, 99, np.uint8)
        for label, train_id in LABEL_TO_TRAIN.items():
            train[labels == label] = train_id
        assert (train != 99).all()  # every label id used has a hand-written train id
        check_sample(sample, photo(real_dir, f"voc{i}"), train)
    _, mask = ds[0]
    assert mask.asnumpy()[0, 0] == 10 and mask.asnumpy()[-1, 0] == 255  # sky; unlabeled


def test_cityscapes_raw_ids_other_targets_and_chained_decoders(tmp_path, real_dir):
    expected = cityscapes_tree(tmp_path, real_dir)
    raw = Cityscapes(tmp_path, train_ids=False)
    check_sample(raw[2], photo(real_dir, "voc2"), expected["bochum_000000_000019"][1])
    colour = Cityscapes(tmp_path, target="color", train_ids=False)
    assert colour[0][1].shape == expected["aachen_000000_000019"][1].shape + (3,)
    chained = pickle.loads(pickle.dumps(Cityscapes(tmp_path, mask_decoder=RemapLabels({255: -1}))))
    _, mask = chained[0]
    assert mask.dtype == np.int32
    assert mask.asnumpy()[-1, 0] == -1 and mask.asnumpy()[0, 0] == 10
    assert repr(chained) == (f"Cityscapes({str(tmp_path)!r}, split='train', "
                             f"target='labelIds', 3 samples)")


def test_cityscapes_errors_name_the_files(tmp_path):
    images, gt = tmp_path / "leftImg8bit/train/ulm", tmp_path / "gtFine/train/ulm"
    tiny_pair(images / "ulm_000000_000019_leftImg8bit.png",
              gt / "ulm_000000_000019_gtFine_labelIds.png")
    tiny_pair(images / "ulm_000001_000019_leftImg8bit.png", gt / "x.png")
    with pytest.raises(ValueError, match=rf"image {images}/ulm_000001_000019_leftImg8bit.png has "
                                         rf"no mask: expected "
                                         rf"{gt}/ulm_000001_000019_gtFine_labelIds.png$"):
        Cityscapes(tmp_path)
    (images / "ulm_000001_000019_leftImg8bit.png").unlink()
    lonely = tmp_path / "gtFine/train/jena/jena_000000_000019_gtFine_labelIds.png"
    tiny_pair(tmp_path / "spare.png", lonely)
    with pytest.raises(ValueError, match=rf"mask {lonely} has no image: expected "
                                         rf"{tmp_path}/leftImg8bit/train/jena/"
                                         rf"jena_000000_000019_leftImg8bit.png"):
        Cityscapes(tmp_path)
    with pytest.raises(ValueError, match=r"train_ids=True maps label ids, but target is 'color'; "
                                         r"pass train_ids=False"):
        Cityscapes(tmp_path, target="color")
    with pytest.raises(ValueError, match=r"split must be one of train, val, test for mode 'fine', "
                                         r"but got 'training'"):
        Cityscapes(tmp_path, "training")
    with pytest.raises(FileNotFoundError, match=rf"Cityscapes image folder "
                                                rf"{tmp_path}/leftImg8bit/val does not exist"):
        Cityscapes(tmp_path, "val")
    (gt / "ulm_000000_000019_gtFine_labelIds.png").unlink()
    lonely.unlink()
    (images / "ulm_000000_000019_leftImg8bit.png").unlink()
    with pytest.raises(ValueError, match=rf"Cityscapes image folder {tmp_path}/leftImg8bit/train "
                                         rf"has no <city>/\*_leftImg8bit.png images"):
        Cityscapes(tmp_path)


# PairedFolders --------------------------------------------------------------------------

def paired_tree(tmp_path, real_dir, image_name, mask_name, names=("voc1", "voc2", "giraffe")):
    (tmp_path / "images").mkdir()
    (tmp_path / "masks").mkdir()
    for name in names:
        shutil.copy(real_dir / f"{name}.jpg", tmp_path / "images" / image_name.format(name))
        shutil.copy(real_dir / f"{name}_mask.png", tmp_path / "masks" / mask_name.format(name))
    return str(tmp_path / "images"), str(tmp_path / "masks")


@pytest.mark.parametrize("rule, image_name, mask_name", [
    (("{stem}.jpg", "{stem}_mask.png"), "{}.jpg", "{}_mask.png"),
    ((r"^(\w+)_(\d+)\.jpg$", r"\1_lane_\2.png"), "{}_007.jpg", "{}_lane_007.png"),
    (lambda name: "gt-" + name[:-4] + ".png", "{}.jpg", "gt-{}.png"),
])
def test_paired_folders_rules(tmp_path, real_dir, rule, image_name, mask_name):
    image_dir, mask_dir = paired_tree(tmp_path, real_dir, image_name, mask_name)
    (tmp_path / "images/notes.txt").write_text("not an image")
    ds = PairedFolders(image_dir, mask_dir, rule)
    assert [os.path.basename(m) for _, m in ds.items] == [
        mask_name.format(n) for n in ("giraffe", "voc1", "voc2")]
    for name, sample in zip(("giraffe", "voc1", "voc2"), ds):
        check_sample(sample, photo(real_dir, name), class_map(real_dir, name))


def test_paired_folders_pattern_fields_and_pickling(tmp_path, real_dir):
    image_dir, mask_dir = paired_tree(tmp_path, real_dir, "{}.jpg", "{}_mask.png",
                                      names=("voc1",))
    os.rename(os.path.join(image_dir, "voc1.jpg"), os.path.join(image_dir, "scene-voc-1.jpg"))
    ds = PairedFolders(image_dir, mask_dir, ("scene-{kind}-{n}.jpg", "{kind}{n}_mask.png"))
    assert len(ds) == 1
    # A lambda rule is used up front only: the dataset still pickles into workers.
    ds = PairedFolders(image_dir, mask_dir, lambda name: "voc1_mask.png")
    copy = pickle.loads(pickle.dumps(ds))
    check_sample(copy[0], photo(real_dir, "voc1"), class_map(real_dir, "voc1"))


def test_paired_folders_transform_and_size_check(tmp_path):
    tiny_pair(tmp_path / "i/a.png", tmp_path / "m/a.png")
    seen = []
    ds = PairedFolders(tmp_path / "i", tmp_path / "m", ("{s}.png", "{s}.png"),
                       transform=lambda image, mask: seen.append((image.shape, mask.shape)) or 7)
    assert ds[0] == 7 and seen == [((6, 8, 3), (6, 8))]
    tiny_pair(tmp_path / "i/b.png", tmp_path / "m/b.png", mask_hw=(6, 7))
    ds = PairedFolders(tmp_path / "i", tmp_path / "m", ("{s}.png", "{s}.png"))
    with pytest.raises(ValueError, match=rf"image {tmp_path}/i/b.png / mask {tmp_path}/m/b.png: "
                                         rf"the image is 8x6 but the mask is 7x6"):
        ds[1]


def test_paired_folders_unmatched_files(tmp_path):
    rule = ("{s}.png", "{s}_m.png")
    tiny_pair(tmp_path / "i/a.png", tmp_path / "m/a_m.png")
    tiny_pair(tmp_path / "i/b.png", tmp_path / "m/b_m.png")
    tiny_pair(tmp_path / "i/c.png", tmp_path / "m/c_m.png")
    (tmp_path / "m/b_m.png").unlink()
    (tmp_path / "m/c_m.png").unlink()
    with pytest.raises(ValueError, match=rf"image {tmp_path}/i/b.png has no mask: expected "
                                         rf"{tmp_path}/m/b_m.png \(1 more images without masks\)"):
        PairedFolders(tmp_path / "i", tmp_path / "m", rule)
    (tmp_path / "i/b.png").unlink()
    (tmp_path / "i/c.png").unlink()
    (tmp_path / "m/z_m.png").write_bytes(b"")
    (tmp_path / "m/.hidden.png").write_bytes(b"")
    with pytest.raises(ValueError, match=rf"mask {tmp_path}/m/z_m.png has no image: no image of "
                                         rf"{tmp_path}/i maps to it under the rule "
                                         rf"\('{{s}}.png', '{{s}}_m.png'\); pass "
                                         rf"ignore_unmatched_masks=True"):
        PairedFolders(tmp_path / "i", tmp_path / "m", rule)
    assert len(PairedFolders(tmp_path / "i", tmp_path / "m", rule,
                             ignore_unmatched_masks=True)) == 1


def test_paired_folders_one_folder_for_both(tmp_path):
    tiny_pair(tmp_path / "a.png", tmp_path / "a_mask.png")
    ds = PairedFolders(tmp_path, tmp_path, (r"^(\w+)(?<!_mask)\.png$", r"\1_mask.png"))
    assert [os.path.basename(i) for i, _ in ds.items] == ["a.png"]


def test_paired_folders_rule_errors(tmp_path):
    tiny_pair(tmp_path / "i/a.png", tmp_path / "m/a.png")
    tiny_pair(tmp_path / "i/b.png", tmp_path / "m/b.png")
    i, m = tmp_path / "i", tmp_path / "m"
    with pytest.raises(ValueError, match=rf"images {i}/a.png and {i}/b.png both map to mask "
                                         rf"{m}/a.png; a mask belongs to one image"):
        PairedFolders(i, m, lambda name: "a.png")
    with pytest.raises(TypeError, match=rf"the rule gave 3 for image {i}/a.png; it must give a "
                                        rf"mask file name"):
        PairedFolders(i, m, lambda name: 3)
    with pytest.raises(TypeError, match=r"rule must be a callable image_name -> mask_name, a "
                                        r"pattern pair .* but got \['\{s\}', '\{s\}'\]"):
        PairedFolders(i, m, ["{s}", "{s}"])
    with pytest.raises(ValueError, match=r"mask pattern '\{t\}.png' uses \['t'\], which the image "
                                         r"pattern '\{s\}.png' does not define"):
        PairedFolders(i, m, ("{s}.png", "{t}.png"))
    with pytest.raises(ValueError, match=r"is neither a pattern with \{name\} fields nor a valid "
                                         r"regex"):
        PairedFolders(i, m, ("(unclosed", "x"))
    with pytest.raises(ValueError, match=rf"image folder {i} has no .jpg\|.jpeg\|.png files that "
                                         rf"the rule \('\{{s\}}.tif', '\{{s\}}.png'\) matches"):
        PairedFolders(i, m, ("{s}.tif", "{s}.png"))
    with pytest.raises(FileNotFoundError, match=rf"mask folder {tmp_path}/nope does not exist"):
        PairedFolders(i, tmp_path / "nope", ("{s}.png", "{s}.png"))
    with pytest.raises(NotADirectoryError, match=rf"image folder {i}/a.png is a file, not a "
                                                 rf"folder"):
        PairedFolders(i / "a.png", m, ("{s}.png", "{s}.png"))


# ListFileDataset ------------------------------------------------------------------------

def test_list_file_relative_absolute_and_commented(tmp_path, real_dir):
    (tmp_path / "img").mkdir()
    shutil.copy(real_dir / "voc2.jpg", tmp_path / "img/voc2.jpg")
    shutil.copy(real_dir / "voc2_mask.png", tmp_path / "img/voc2.png")
    list_file = tmp_path / "train.lst"
    list_file.write_text(f"# image mask\n\nimg/voc2.jpg   img/voc2.png\n"
                         f"{real_dir}/voc5.jpg\t{real_dir}/voc5_mask.png\n")
    ds = ListFileDataset(list_file)
    assert len(ds) == 2 and repr(ds) == f"ListFileDataset({str(list_file)!r}, 2 samples)"
    check_sample(ds[0], photo(real_dir, "voc2"), class_map(real_dir, "voc2"))
    check_sample(ds[1], photo(real_dir, "voc5"), class_map(real_dir, "voc5"))


def test_list_file_root_and_separator(tmp_path, real_dir):
    (tmp_path / "data").mkdir()
    shutil.copy(real_dir / "voc3.jpg", tmp_path / "data/my photo.jpg")
    shutil.copy(real_dir / "voc3_mask.png", tmp_path / "data/my mask.png")
    (tmp_path / "lists").mkdir()
    list_file = tmp_path / "lists/val.csv"
    list_file.write_text("my photo.jpg , my mask.png\n")
    ds = ListFileDataset(list_file, root=tmp_path / "data", sep=",")
    check_sample(ds[0], photo(real_dir, "voc3"), class_map(real_dir, "voc3"))


def test_list_file_errors_name_the_file_and_line(tmp_path):
    tiny_pair(tmp_path / "a.png", tmp_path / "a_m.png")
    list_file = tmp_path / "l.txt"
    list_file.write_text("a.png a_m.png\n# comment\na.png\n")
    with pytest.raises(ValueError, match=rf"list file {list_file} line 3: expected an image path "
                                         rf"and a mask path separated by whitespace, but got "
                                         rf"'a.png'"):
        ListFileDataset(list_file)
    list_file.write_text("a.png a_m.png extra\n")
    with pytest.raises(ValueError, match=r"line 1: expected an image path .* but got "
                                         r"'a.png a_m.png extra'"):
        ListFileDataset(list_file)
    list_file.write_text("a.png,\n")
    with pytest.raises(ValueError, match=r"line 1: expected an image path and a mask path "
                                         r"separated by ',', but got 'a.png,'"):
        ListFileDataset(list_file, sep=",")
    list_file.write_text("a.png a_m.png\nb.png a_m.png\na.png c.png\n")
    with pytest.raises(FileNotFoundError, match=rf"list file {list_file} line 2: image file "
                                                rf"{tmp_path}/b.png does not exist \(1 more "
                                                rf"missing files\)"):
        ListFileDataset(list_file)
    list_file.write_text("# nothing\n\n")
    with pytest.raises(ValueError, match=rf"list file {list_file} lists no image/mask pairs"):
        ListFileDataset(list_file)
    with pytest.raises(FileNotFoundError, match=rf"list file {tmp_path}/no.txt does not exist"):
        ListFileDataset(tmp_path / "no.txt")
    with pytest.raises(ValueError, match=r"sep must be a non-empty string or None, but got ''"):
        ListFileDataset(list_file, sep="")
