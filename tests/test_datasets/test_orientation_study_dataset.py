import json

import pytest
from mmengine.registry import init_default_scope

import mtl_plugin  # noqa: F401
from mtl_plugin.datasets.synthetic.orientation_study import generate_orientation_study
from mtl_plugin.registry import DATASETS

PIPELINE = [dict(type='LoadImageFromFile'),
            dict(type='PackMultiTaskInputs',
                 meta_keys=('img_path', 'ori_shape', 'img_shape'),
                 label_keys=('gt_shape', 'gt_orientation'),
                 float_keys=('gt_intensity', ))]


def _build(root, ann='annotations/train.json'):
    init_default_scope('mtl_plugin')
    return DATASETS.build(dict(type='OrientationStudyDataset', data_root=root,
                               ann_file=ann, data_prefix=dict(img_path='images/'),
                               pipeline=PIPELINE))


def test_packs_three_targets(tmp_path):
    generate_orientation_study(str(tmp_path), num_train=4, num_val=2, seed=0)
    ds = _build(str(tmp_path))
    item = ds[0]
    s = item['data_samples']
    assert item['inputs'].shape == (3, 32, 32)
    raw = json.load(open(tmp_path / 'annotations/train.json'))['data_list'][0]
    assert int(s.gt_shape) == raw['shape']
    assert int(s.gt_orientation) == raw['orientation']
    assert float(s.gt_intensity) == pytest.approx(raw['intensity'])


@pytest.mark.parametrize('key,value,msg', [
    ('orientation', 32, 'orientation=32'), ('shape', -1, 'shape=-1'),
    ('intensity', 1.5, 'intensity=1.5'), ('img_path', 'train/x.png', 'x.png')])
def test_bad_items_name_the_file(tmp_path, key, value, msg):
    generate_orientation_study(str(tmp_path), num_train=2, num_val=1, seed=0)
    ann = json.load(open(tmp_path / 'annotations/train.json'))
    ann['data_list'][1][key] = value
    bad = tmp_path / 'bad.json'
    bad.write_text(json.dumps(ann))
    with pytest.raises((ValueError, FileNotFoundError), match=msg) as err:
        _build(str(tmp_path), ann=str(bad))
    assert 'bad.json' in str(err.value)
