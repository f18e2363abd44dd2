"""The camera's decoder on photos of printed labels: at angles, in poor light, blurred, through webcam JPEG."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from app.scan_decode import decode_frame, to_gray
from exporters.label_templates import load_templates
from tests.labels.photos import FRAME, VARIANTS, photos

TEMPLATES, _ = load_templates()
pytestmark = pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) is not installed")


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_every_photo_of_a_printed_label_decodes_to_its_tag(name: str, tmp_path: Path) -> None:
    frames = photos(TEMPLATES[name], "ACME-00042", tmp_path)
    assert set(frames) == set(VARIANTS)
    read = {variant: decode_frame(frame) for variant, frame in frames.items()}
    assert read == {variant: ["ACME-00042"] for variant in VARIANTS}


@pytest.mark.parametrize("name", ["avery-5160", "avery-l7651", "thermal-2x1"])
def test_every_photo_of_a_room_label_decodes_to_its_code(name: str, tmp_path: Path) -> None:
    frames = photos(TEMPLATES[name], "LOC:1A40CD46", tmp_path, title="Server room")
    read = {variant: decode_frame(frame) for variant, frame in frames.items()}
    assert read == {variant: ["LOC:1A40CD46"] for variant in VARIANTS}


def test_a_recorded_colour_jpeg_is_read_like_a_camera_frame(tmp_path: Path) -> None:
    """A photo saved to disk in colour (as a phone or webcam records it) goes through the same decoder."""
    frame = photos(TEMPLATES["dymo-30334"], "ACME-0107", tmp_path)["tilted 25%"]
    tinted = np.stack([frame, (frame * 0.9).astype(np.uint8), (frame * 0.8).astype(np.uint8)], axis=2)
    Image.fromarray(tinted, "RGB").save(tmp_path / "recorded.jpg", quality=60)
    recorded = np.asarray(Image.open(tmp_path / "recorded.jpg"))
    assert recorded.shape == (FRAME[1], FRAME[0], 3)
    assert decode_frame(recorded) == ["ACME-0107"]


def test_a_frame_without_a_label_reads_nothing_and_large_frames_are_halved() -> None:
    desk = np.full((1080, 1920), 120, np.uint8)
    assert decode_frame(desk) == []
    assert to_gray(np.zeros((2160, 3840, 4), np.uint8)).shape == (540, 960)  # halved until at most 1600 wide
