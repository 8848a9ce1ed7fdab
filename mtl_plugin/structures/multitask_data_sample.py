"""One data-sample type that carries the ground truth and predictions of every task.

mmdet's :class:`DetDataSample` already holds ``gt_instances`` / ``pred_instances``
and ``gt_sem_seg`` / ``pred_sem_seg``; this subclass adds the image-level fields
mmpretrain's metrics read and the attention maps of the GAIN-MTL workload, so
the det, seg, cls and cam evaluators of one test loop read the same samples.

Fields (all optional, shapes for one image of network-input size ``H x W``):

* ``gt_label`` / ``pred_label``: ``LongTensor (1,)`` image class.
* ``pred_score``: ``FloatTensor (num_classes,)`` class probabilities.
* ``gt_sem_seg`` / ``pred_sem_seg``: :class:`PixelData` with ``data`` of shape
  ``(1, H, W)`` (long class ids). The key is ``data``, as mmseg's ``IoUMetric``
  reads it (mmdet's ``PackDetInputs`` would store ``sem_seg`` instead).
* ``pred_cam``, ``pred_attention``, ``pred_loc``: :class:`PixelData` with
  ``data`` ``(1, H, W)`` float maps (CAM of the defect class, GAIN attention,
  localization-head probability).
"""
from mmdet.structures import DetDataSample
from mmengine.structures import PixelData
from torch import Tensor


class MultiTaskDataSample(DetDataSample):
    """DetDataSample plus image-level labels and attention maps (see module doc)."""

    @property
    def gt_label(self) -> Tensor:
        return self._gt_label

    @gt_label.setter
    def gt_label(self, value: Tensor) -> None:
        self.set_field(value, '_gt_label', dtype=Tensor)

    @gt_label.deleter
    def gt_label(self) -> None:
        del self._gt_label

    @property
    def pred_score(self) -> Tensor:
        return self._pred_score

    @pred_score.setter
    def pred_score(self, value: Tensor) -> None:
        self.set_field(value, '_pred_score', dtype=Tensor)

    @pred_score.deleter
    def pred_score(self) -> None:
        del self._pred_score

    @property
    def pred_label(self) -> Tensor:
        return self._pred_label

    @pred_label.setter
    def pred_label(self, value: Tensor) -> None:
        self.set_field(value, '_pred_label', dtype=Tensor)

    @pred_label.deleter
    def pred_label(self) -> None:
        del self._pred_label

    @property
    def pred_cam(self) -> PixelData:
        return self._pred_cam

    @pred_cam.setter
    def pred_cam(self, value: PixelData) -> None:
        self.set_field(value, '_pred_cam', dtype=PixelData)

    @pred_cam.deleter
    def pred_cam(self) -> None:
        del self._pred_cam

    @property
    def pred_attention(self) -> PixelData:
        return self._pred_attention

    @pred_attention.setter
    def pred_attention(self, value: PixelData) -> None:
        self.set_field(value, '_pred_attention', dtype=PixelData)

    @pred_attention.deleter
    def pred_attention(self) -> None:
        del self._pred_attention

    @property
    def pred_loc(self) -> PixelData:
        return self._pred_loc

    @pred_loc.setter
    def pred_loc(self, value: PixelData) -> None:
        self.set_field(value, '_pred_loc', dtype=PixelData)

    @pred_loc.deleter
    def pred_loc(self) -> None:
        del self._pred_loc
