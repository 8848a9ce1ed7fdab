import os.path as osp

import numpy as np
import pytest
from PIL import Image

from mtl_plugin.datasets import SKU110KDataset
from mtl_plugin.datasets.sku110k_dataset import parse_sku110k_csv


def _write(tmp_path, text, images=('a.jpg', 'b.jpg'), size=(40, 30)):
    img_dir = tmp_path / 'images'
    img_dir.mkdir(exist_ok=True)
    for name in images:
        Image.fromarray(np.zeros((size[1], size[0], 3), np.uint8)).save(
            img_dir / name)
    csv = tmp_path / 'ann.csv'
    csv.write_text(text)
    return str(csv), str(img_dir) + '/'


GOOD = ('a.jpg,1,2,11,12,object,40,30\n'
        'a.jpg,-5,3,10,35,object,40,30\n'   # clipped (x1 and y2)
        'a.jpg,20,5,20,9,object,40,30\n'    # zero width -> dropped
        'b.jpg,41,1,50,9,object,40,30\n'    # entirely outside: clipped to zero
        'b.jpg,0,0,40,30,object,40,30\n')


def test_parse_clips_and_drops_and_counts(tmp_path):
    csv, _ = _write(tmp_path, GOOD)
    images, stats = parse_sku110k_csv(csv)
    assert list(images) == ['a.jpg', 'b.jpg']
    assert images['a.jpg'].boxes == [[1, 2, 11, 12], [0, 3, 10, 30]]
    assert images['b.jpg'].boxes == [[0, 0, 40, 30]]
    assert (stats.num_rows, stats.num_clipped, stats.num_zero_area) == \
        (5, 2, 2)


def test_header_row_is_accepted(tmp_path):
    csv, _ = _write(tmp_path, 'image_name,x1,y1,x2,y2,class,image_width,'
                    'image_height\n' + GOOD)
    images, stats = parse_sku110k_csv(csv)
    assert stats.num_rows == 5 and len(images) == 2


@pytest.mark.parametrize('text, match', [
    ('a.jpg,1,2,11,object,40,30\n', r'ann.csv:1: expected 8 columns'),
    ('a.jpg,1,2,11,12,object,40,30\na.jpg,1,x,11,12,object,40,30\n',
     r"ann.csv:2: column 'y1' is 'x', expected a number"),
    ('a.jpg,1,2,11,12,object,0,30\n', r'ann.csv:1: image size 0x30'),
    ('a.jpg,1,2,11,12,object,40,30\na.jpg,1,2,11,12,object,41,30\n',
     r"ann.csv:2: image 'a.jpg' has size 41x30 here but 40x30"),
])
def test_malformed_rows_name_file_and_line(tmp_path, text, match):
    csv, _ = _write(tmp_path, text)
    with pytest.raises(ValueError, match=match):
        parse_sku110k_csv(csv)


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match='nope.csv'):
        parse_sku110k_csv(str(tmp_path / 'nope.csv'))


def test_dataset_instances_and_stats(tmp_path):
    csv, img_dir = _write(tmp_path, GOOD)
    ds = SKU110KDataset(ann_file=csv, data_prefix=dict(img=img_dir),
                        pipeline=[])
    assert len(ds) == 2
    info = ds.get_data_info(0)
    assert info['img_path'] == osp.join(img_dir, 'a.jpg')
    assert (info['width'], info['height']) == (40, 30)
    assert [i['bbox'] for i in info['instances']] == [[1, 2, 11, 12],
                                                       [0, 3, 10, 30]]
    assert {i['bbox_label'] for i in info['instances']} == {0}
    assert ds.load_stats.num_clipped == 2
    assert ds.load_stats.num_zero_area == 2


def test_missing_images_error_names_them(tmp_path):
    csv, img_dir = _write(tmp_path, GOOD + 'c.jpg,1,1,5,5,object,40,30\n')
    with pytest.raises(FileNotFoundError, match=r'1 images .* missing .*c\.jpg'):
        SKU110KDataset(ann_file=csv, data_prefix=dict(img=img_dir),
                       pipeline=[])
    ds = SKU110KDataset(ann_file=csv, data_prefix=dict(img=img_dir),
                        pipeline=[], missing_images='skip')
    assert len(ds) == 2 and ds.load_stats.missing_images == ['c.jpg']


def test_unknown_class_is_an_error(tmp_path):
    csv, img_dir = _write(tmp_path, 'a.jpg,1,2,11,12,bottle,40,30\n')
    with pytest.raises(ValueError, match=r"class 'bottle', expected one of"):
        SKU110KDataset(ann_file=csv, data_prefix=dict(img=img_dir),
                       pipeline=[])
