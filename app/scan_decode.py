"""Reading asset tags from a picture: the one decoder the camera input, the tests and bench/labels.py all use."""

from __future__ import annotations

from typing import Any

import numpy as np
import zxingcpp

from app.validation import normalise_tag

#: The codes Closeout prints (and the QR codes vendors put on devices); fewer formats decode faster. Kept as text:
#: a zxing-cpp object held by the module until exit makes nanobind report a leak at every interpreter exit.
FORMATS = "Code128,QRCode,DataMatrix"
#: A camera frame wider than this is halved first: the labels still have enough pixels and decoding is faster.
MAX_WIDTH = 1600


def to_gray(frame: Any) -> np.ndarray:
    """A 2D uint8 array from a grayscale, RGB(A) or BGR(A) array (the channel order does not matter for barcodes)."""
    array = np.asarray(frame)
    if array.ndim == 3:
        array = array[..., :3].mean(axis=2).astype(np.uint8)
    if array.dtype != np.uint8:
        array = np.clip(array, 0, 255).astype(np.uint8)
    while array.shape[1] > MAX_WIDTH:
        array = array[::2, ::2]
    return np.ascontiguousarray(array)


def decode_frame(frame: Any) -> list[str]:
    """The tags in the picture, each once, in reading order (top to bottom, then left to right)."""
    found = zxingcpp.read_barcodes(
        to_gray(frame), formats=zxingcpp.barcode_formats_from_str(FORMATS), try_rotate=True, try_downscale=True
    )
    ordered = sorted(found, key=lambda code: (code.position.top_left.y, code.position.top_left.x))
    tags: list[str] = []
    for code in ordered:
        tag = normalise_tag(code.text)
        if tag and tag not in tags:
            tags.append(tag)
    return tags
