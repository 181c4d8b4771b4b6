"""Differential cases for tf.image against TF.js 4.22."""
import asyncio

import numpy as np

import tfjs as tf
from harness import Case, Raw, assert_all_agree, run_cases

RS = np.random.RandomState(5)


def r(*shape):
    return RS.randn(*shape).astype(np.float32)


IMG = r(2, 4, 5, 3)
IMG3 = r(3, 4, 2)
CASES = []
for size in [[7, 9], [2, 3], [4, 5], [1, 1], [8, 3]]:
    for align, half in [(False, False), (True, False), (False, True)]:
        tag = f'{size} align={align} half={half}'
        CASES.append(Case('image.resizeBilinear', [IMG, Raw(size), align, half], grad=[0], name=f'resizeBilinear {tag}'))
        CASES.append(Case('image.resizeNearestNeighbor', [IMG, Raw(size), align, half], name=f'resizeNearestNeighbor {tag}'))
        # TF.js's gradient kernel mixes up batch offsets and ignores halfPixelCenters: compare
        # gradients where it is right (ours is the true adjoint everywhere)
        CASES.append(Case('image.resizeNearestNeighbor', [IMG[:1].copy(), Raw(size), align, half], grad=[0] if not half else False,
                          name=f'resizeNearestNeighbor batch 1 {tag}'))
CASES += [Case('image.resizeBilinear', [IMG3, Raw([5, 3])], grad=[0], name='resizeBilinear rank 3'),
          Case('image.resizeBilinear', [IMG.round().astype(np.int32), Raw([3, 7])], name='resizeBilinear int32'),
          Case('image.resizeBilinear', [IMG, Raw([3, 3]), True, True], raises=True, name='resizeBilinear align+half'),
          Case('image.resizeBilinear', [r(4, 5), Raw([3, 3])], raises=True, name='resizeBilinear rank 2'),
          Case('image.resizeBilinear', [IMG, Raw([3])], raises=True, name='resizeBilinear bad size'),
          Case('image.resizeNearestNeighbor', [IMG3, Raw([7, 3])], grad=[0], name='resizeNearestNeighbor rank 3'),
          Case('image.resizeNearestNeighbor', [IMG.round().astype(np.int32), Raw([3, 7])], name='resizeNearestNeighbor int32'),
          Case('image.resizeNearestNeighbor', [IMG > 0, Raw([3, 7])], raises=True, name='resizeNearestNeighbor bool'),
          Case('image.resizeNearestNeighbor', [IMG, Raw([3, 3]), True, True], raises=True, name='resizeNearestNeighbor align+half')]
BOXES = np.array([[0, 0, 1, 1], [0.1, 0.2, 0.7, 0.9], [-0.2, -0.1, 0.5, 1.3], [0.8, 0.9, 0.2, 0.1]], np.float32)
BI = np.array([0, 1, 1, 0], np.int32)
for method in ['bilinear', 'nearest']:
    for crop in [[3, 4], [1, 1], [1, 5], [6, 2]]:
        CASES.append(Case('image.cropAndResize', [IMG, BOXES, BI, Raw(crop), method, 0.5], name=f'cropAndResize {method} {crop}'))
CASES += [Case('image.cropAndResize', [IMG, BOXES, BI, Raw([3, 3])], name='cropAndResize defaults'),
          Case('image.cropAndResize', [IMG, BOXES, np.array([0, 2, 1, 5], np.int32), Raw([2, 2])], name='cropAndResize bad box index'),
          Case('image.cropAndResize', [IMG, Raw(BOXES.tolist()), Raw([0, 1, 1, 0]), Raw([2, 3])], name='cropAndResize lists'),
          Case('image.cropAndResize', [IMG, BOXES, BI.astype(np.float32), Raw([2, 3])], raises=True, name='cropAndResize float boxInd'),
          Case('image.cropAndResize', [IMG, BOXES, BI, Raw([0, 3])], raises=True, name='cropAndResize crop 0'),
          Case('image.cropAndResize', [IMG, BOXES, BI, Raw([2, 2]), 'area'], raises=True, name='cropAndResize method'),
          Case('image.cropAndResize', [IMG, BOXES[:, :3].copy(), BI, Raw([2, 2])], raises=True, name='cropAndResize boxes shape'),
          Case('image.cropAndResize', [IMG3, BOXES, BI, Raw([2, 2])], raises=True, name='cropAndResize rank 3')]
CASES += [Case('image.flipLeftRight', [IMG], grad=True),
          Case('image.flipLeftRight', [IMG3], raises=True, name='flipLeftRight rank 3'),
          Case('image.flipLeftRight', [IMG.astype(np.int32)], raises=True, name='flipLeftRight int32'),
          Case('image.grayscaleToRGB', [r(4, 5, 1)], grad=True),
          Case('image.grayscaleToRGB', [np.arange(6, dtype=np.int32).reshape(2, 3, 1)], name='grayscaleToRGB int32'),
          Case('image.grayscaleToRGB', [r(4, 1)], name='grayscaleToRGB rank 2'),
          Case('image.grayscaleToRGB', [r(4, 3)], raises=True, name='grayscaleToRGB 3 channels'),
          Case('image.grayscaleToRGB', [r(4)], raises=True, name='grayscaleToRGB rank 1'),
          Case('image.rgbToGrayscale', [IMG], name='rgbToGrayscale rank 4'),
          Case('image.rgbToGrayscale', [r(2, 3)], name='rgbToGrayscale rank 2'),
          Case('image.rgbToGrayscale', [(np.abs(IMG) * 100).astype(np.int32)], name='rgbToGrayscale int32'),
          Case('image.rgbToGrayscale', [r(1, 2, 1, 1, 2, 3)], name='rgbToGrayscale rank 6'),
          Case('image.rgbToGrayscale', [r(2, 4)], raises=True, name='rgbToGrayscale 4 channels')]
for rad, fill, center in [(0.5, 0, 0.5), (1.2, 0.3, 0.5), (-0.7, Raw([1, 2, 3]), 0.5), (np.float32(3.0), 0, Raw([0.2, 0.7])),
                          (0.0, 0, 0.5), (np.pi / 2, 0, 0.5)]:
    rad_v = float(rad)
    CASES.append(Case('image.rotateWithOffset', [IMG, rad_v, fill, center], name=f'rotateWithOffset {rad_v} {fill} {center}'))
CASES += [Case('image.rotateWithOffset', [r(1, 3, 3, 4), 0.8, Raw([10, 20, 30])], name='rotateWithOffset rgba fill'),
          Case('image.rotateWithOffset', [IMG3, 0.5], raises=True, name='rotateWithOffset rank 3')]
T1 = np.array([[1.1, 0.2, -0.5, -0.1, 0.9, 0.7, 0.01, -0.02]], np.float32)
T0 = np.array([[1, 0, 0, 0, 1, 0, 0, 0]], np.float32)
T2 = np.array([[0.5, 0.3, 1.2, 0.4, 1.5, -1.5, 0.0, 0.0]], np.float32)
for interp in ['nearest', 'bilinear']:
    for mode in ['constant', 'reflect', 'wrap', 'nearest']:
        for tr in (T1, T2):
            CASES.append(Case('image.transform', [IMG[:1].copy(), tr, interp, mode, 0.25],
                              name=f'transform {interp} {mode}'))
CASES += [Case('image.transform', [IMG[:1].copy(), T0], name='transform identity'),
          Case('image.transform', [IMG[:1].copy(), T1, 'bilinear', 'reflect', 0, Raw([7, 3])], name='transform outputShape'),
          Case('image.transform', [IMG[:1].copy(), T1, 'cubic'], raises=True, name='transform bad interpolation'),
          Case('image.transform', [IMG, np.ones([3, 8], np.float32)], raises=True, name='transform bad transforms'),
          Case('image.transform', [IMG3, T0], raises=True, name='transform rank 3')]
GRAY = (RS.rand(6, 7, 1) * 255).astype(np.float32)
RGB = (RS.rand(6, 7, 3) * 255).astype(np.float32)
CASES += [Case('image.threshold', [GRAY]), Case('image.threshold', [RGB, 'binary', True, 0.3], name='threshold inverted rgb'),
          Case('image.threshold', [RGB.astype(np.int32), 'otsu'], name='threshold otsu int32 rgb'),
          Case('image.threshold', [GRAY, 'otsu', True], name='threshold otsu inverted'),
          Case('image.threshold', [GRAY, 'median'], raises=True, name='threshold bad method'),
          Case('image.threshold', [GRAY > 100], raises=True, name='threshold bool'),
          Case('image.threshold', [RGB[None]], raises=True, name='threshold rank 4')]
# non-max suppression
NB = 12
Y = RS.rand(NB).astype(np.float32)
X = RS.rand(NB).astype(np.float32)
NBOX = np.stack([Y, X, Y + RS.rand(NB) * 0.5, X + RS.rand(NB) * 0.5], 1).astype(np.float32)
NBOX[3] = NBOX[3, [2, 3, 0, 1]]   # flipped corners
NBOX[5, 2] = NBOX[5, 0]           # zero area
NSC = RS.rand(NB).astype(np.float32)
NSC[7] = NSC[2]                   # a tie
for args in [(5,), (12, 0.3), (20, 0.5, 0.4), (3, 0.0), (12, 1.0, 0.2)]:
    CASES.append(Case('image.nonMaxSuppression', [NBOX, NSC, *args], name=f'nonMaxSuppression {args}'))
    CASES.append(Case('image.nonMaxSuppressionAsync', [NBOX, NSC, *args], name=f'nonMaxSuppressionAsync {args}'))
    full = list(args) + [0.5, -np.inf][len(args) - 1:]
    CASES.append(Case('image.nonMaxSuppressionPadded', [NBOX, NSC, *full, True], name=f'nonMaxSuppressionPadded {args}'))
    CASES.append(Case('image.nonMaxSuppressionPaddedAsync', [NBOX, NSC, *args], name=f'nonMaxSuppressionPaddedAsync {args}'))
for sigma in [0.0, 0.3, 1.0]:
    CASES.append(Case('image.nonMaxSuppressionWithScore', [NBOX, NSC, 8, 0.6, 0.1, sigma], name=f'nonMaxSuppressionWithScore {sigma}'))
    CASES.append(Case('image.nonMaxSuppressionWithScoreAsync', [NBOX, NSC, 8, 0.6, 0.1, sigma], name=f'nonMaxSuppressionWithScoreAsync {sigma}'))
CASES += [Case('image.nonMaxSuppression', [Raw(NBOX.tolist()), Raw(NSC.tolist()), 4], name='nonMaxSuppression lists'),
          Case('image.nonMaxSuppression', [np.zeros([0, 4], np.float32), np.zeros([0], np.float32), 3], name='nonMaxSuppression empty'),
          Case('image.nonMaxSuppression', [NBOX, NSC, 4, 1.5], raises=True, name='nonMaxSuppression iou > 1'),
          Case('image.nonMaxSuppression', [NBOX[:, :3].copy(), NSC, 4], raises=True, name='nonMaxSuppression 3 columns'),
          Case('image.nonMaxSuppression', [NBOX, NSC[:5].copy(), 4], raises=True, name='nonMaxSuppression score shape'),
          Case('image.nonMaxSuppressionWithScore', [NBOX, NSC, 4, 0.5, 0, 1.5], raises=True, name='nonMaxSuppressionWithScore sigma > 1')]


def test_image_ops_agree_with_tfjs(oracle):
    assert_all_agree(run_cases(oracle, CASES))


def test_nms_async_forms_are_awaitable():
    async def main():
        sel = await tf.image.nonMaxSuppressionAsync(NBOX, NSC, 5)
        padded = await tf.image.nonMaxSuppressionPaddedAsync(NBOX, NSC, 5, 0.5, 0, True)
        scored = await tf.image.nonMaxSuppressionWithScoreAsync(NBOX, NSC, 5)
        return sel.arraySync(), padded['selectedIndices'].shape, scored['selectedScores'].shape
    sel, shape, sshape = asyncio.run(main())
    assert sel == tf.image.nonMaxSuppression(NBOX, NSC, 5).arraySync()
    assert shape == [5] and sshape == [len(sel)]


def test_resize_nearest_neighbor_gradient_is_the_adjoint():
    """Each input pixel gets the sum of dy over the output pixels that copied it, for every
    image of the batch and with halfPixelCenters (TF.js's CPU gradient gets both wrong)."""
    x = tf.tensor(IMG)
    dy = np.arange(2 * 7 * 9 * 3, dtype=np.float32).reshape(2, 7, 9, 3)
    g = tf.grad(lambda v: tf.image.resizeNearestNeighbor(v, [7, 9], False, True).mul(tf.tensor(dy)).sum())(x)
    assert abs(float(g.sum().arraySync()) - float(dy.sum())) < 1e-2 * dy.sum()


def test_transform_handles_every_batch():
    """TF.js's CPU kernel returns after the first image (the rest stay fillValue); here every
    image of the batch is transformed."""
    out = tf.image.transform(tf.tensor(IMG), tf.tensor(np.ones([1, 8], np.float32) * np.array(
        [1, 0, 0, 0, 1, 0, 0, 0], np.float32))).numpy()
    assert np.allclose(out, IMG)
