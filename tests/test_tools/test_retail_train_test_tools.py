"""tools/train.py and tools/test.py on data in the SKU-110K CSV layout."""
from mtl_plugin.datasets.synthetic import write_shelf_split


def test_train_and_test_tools_on_sku110k_csv(tmp_path, run_tool):
    """tools/train.py then tools/test.py (--out, --show-dir) on data in the
    SKU-110K CSV layout, with the CPU config shrunk by --cfg-options."""
    for split, num in [('train', 2), ('val', 1)]:
        write_shelf_split(str(tmp_path / 'data'), split, num, width=96,
                          height=96, num_objects=(15, 30), progress=False)
    cfg = 'configs/retail/retinanet-dense_r18-half_fpn_8e_shelves.py'
    root = str(tmp_path / 'data') + '/'
    opts = ['--cfg-options', f'train_dataloader.dataset.data_root={root}',
            f'val_dataloader.dataset.data_root={root}',
            f'test_dataloader.dataset.data_root={root}',
            'train_cfg.max_epochs=1', 'train_cfg.val_interval=1',
            'train_dataloader.num_workers=0',
            'train_dataloader.persistent_workers=False',
            'val_dataloader.num_workers=0',
            'val_dataloader.persistent_workers=False',
            'test_dataloader.num_workers=0',
            'test_dataloader.persistent_workers=False']
    work = tmp_path / 'work'
    proc = run_tool('train.py', cfg, '--work-dir', work, *opts)
    assert proc.returncode == 0, proc.stderr[-3000:]
    ckpt = work / 'epoch_1.pth'
    assert ckpt.is_file()
    out, vis = tmp_path / 'preds.pkl', tmp_path / 'vis'
    proc = run_tool('test.py', cfg, ckpt, '--work-dir', tmp_path / 'test',
                    '--out', out, '--show-dir', vis, *opts)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert 'coco/bbox_AR@300' in proc.stdout
    assert out.is_file()
    assert sorted(p.name for p in vis.rglob('*.jpg')) == ['val_0.jpg']
