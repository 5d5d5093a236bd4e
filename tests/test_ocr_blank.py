"""A picture that looks blank is not sent to Tesseract (and a scan that
looks blank is reported as such). The test is made on the picture's
histogram: it must say what the grey levels themselves say (range under 24,
or standard deviation under 2), on pictures on both sides of each line."""

from __future__ import annotations

import numpy as np
from PIL import Image

from redactor.text.ocr.reading import _looks_blank


def _direct(a: np.ndarray) -> bool:
    return bool(a.size and (int(a.max()) - int(a.min()) < 24 or float(a.std()) < 2.0))


def _grey(a) -> Image.Image:
    return Image.fromarray(np.asarray(a, dtype=np.uint8), "L")


def test_the_named_cases():
    white = np.full((40, 60), 255)
    assert _looks_blank(_grey(white))
    assert _looks_blank(_grey(np.tile(np.arange(232, 256), (10, 1))))  # a range of 23
    assert not _looks_blank(_grey(np.tile(np.arange(231, 256), (400, 1))))  # 24, and spread out
    speck = white.copy()
    speck[3, 4] = 0  # one dark pixel in 2400: deviation 5.2, not blank
    assert not _looks_blank(_grey(speck))
    big = np.full((200, 200), 255)
    big[0, 0] = 0  # one in 40,000: deviation 1.27
    assert _looks_blank(_grey(big))
    text = white.copy()
    text[10:20, 5:55:3] = 0
    assert not _looks_blank(_grey(text))


def test_it_agrees_with_the_grey_levels():
    rng = np.random.default_rng(14)
    seen = set()
    for _ in range(600):
        h, w = (int(v) for v in rng.integers(1, 80, 2))
        base = int(rng.integers(0, 256))
        a = np.clip(base + rng.integers(0, int(rng.choice([1, 2, 4, 23, 24, 25, 60, 256])), (h, w)), 0, 255)
        if rng.random() < 0.5:  # a plain page with a few marks: the deviation is near 2
            a[:] = base
            for _ in range(int(rng.integers(0, 5))):
                a[rng.integers(0, h), rng.integers(0, w)] = rng.integers(0, 256)
        a = a.astype(np.uint8)
        assert _looks_blank(_grey(a)) == _direct(a)
        seen.add(_direct(a))
    assert seen == {True, False}
