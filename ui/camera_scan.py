"""Scanning tags with the laptop's camera: QtMultimedia frames, decoded by zxing-cpp on the runner's worker.

QtMultimedia is imported only when the camera is opened, so a computer without it (or without a camera) starts as
usual and the option says why it cannot scan.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import QObject, QStringListModel, Qt, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QListView, QVBoxLayout, QWidget

from app.scan_decode import decode_frame

if TYPE_CHECKING:
    from ui.runner import Runner

#: The same tag seen again within this time is the same label still in view, not a second scan.
REPEAT_SECONDS = 2.5
NO_CAMERA = "No camera was found on this computer: scan with a USB scanner or type the tag."


def gray_array(image: QImage) -> np.ndarray:
    """The frame as a 2D uint8 array (copied, so the worker never reads memory the GUI thread reuses)."""
    gray = image.convertToFormat(QImage.Format.Format_Grayscale8)
    width, height, stride = gray.width(), gray.height(), gray.bytesPerLine()
    data = np.frombuffer(gray.constBits(), dtype=np.uint8, count=stride * height).reshape(height, stride)
    return data[:, :width].copy()


def camera_problem() -> str | None:
    """Why the camera cannot be used here, in the user's words, or None when there is one."""
    try:
        from PySide6.QtMultimedia import QMediaDevices
    except ImportError as exc:
        return f"Camera scanning is not available on this computer ({exc})."
    return None if QMediaDevices.videoInputs() else NO_CAMERA


class FrameDecoder(QObject):
    """Decodes one frame at a time on the runner's worker; frames offered while it is busy are dropped, so the
    camera never queues up work. `decoded` carries each new tag once."""

    decoded = Signal(str)
    frame_done = Signal(float)  # milliseconds the decode took

    def __init__(self, runner: Runner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.busy = False
        self._seen: dict[str, float] = {}

    def offer(self, image: QImage) -> bool:
        """Decode this frame unless a decode is running; returns whether it was taken."""
        if self.busy or image.isNull():
            return False
        self.busy = True
        frame = gray_array(image)

        def work(_ctx: Any) -> tuple[list[str], float]:
            start = time.perf_counter()
            return decode_frame(frame), (time.perf_counter() - start) * 1000

        self.runner.run(work, on_success=self._done, on_failure=self._failed, pool="cpu")
        return True

    def _done(self, result: tuple[list[str], float]) -> None:
        self.busy = False
        tags, elapsed = result
        now = time.monotonic()
        for tag in tags:
            if now - self._seen.get(tag, -REPEAT_SECONDS) >= REPEAT_SECONDS:
                self.decoded.emit(tag)
            self._seen[tag] = now
        self.frame_done.emit(elapsed)

    def _failed(self, _exc: BaseException) -> None:
        self.busy = False  # an undecodable frame is not an error: the next one is tried


class CameraDialog(QDialog):
    """The viewfinder: every tag read goes to `on_tag` (quick-tag's scan), as a USB scanner's would."""

    def __init__(self, runner: Runner, on_tag: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Scan with the camera")
        self.on_tag = on_tag
        self.decoder = FrameDecoder(runner, self)
        self.decoder.decoded.connect(self._tag_read)
        self.view = QLabel(self)
        self.view.setObjectName("cameraView")
        self.view.setMinimumSize(480, 270)
        self.view.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.view.setStyleSheet("background: #1f2933; color: #e4ecf4;")
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.tags = QStringListModel(self)
        self.read = QListView(self)
        self.read.setModel(self.tags)
        self.read.setAccessibleName("Tags read")
        self.read.setMaximumHeight(90)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (self.view, self.status, QLabel("Tags read:", self), self.read, buttons):
            layout.addWidget(widget)
        self._camera: Any = None
        self._session: Any = None
        self._sink: Any = None
        problem = camera_problem()
        if problem is None:
            self._start()
            self.status.setText("Hold the label's barcode or QR code in front of the camera.")
        else:
            self.view.setText("No camera")
            self.status.setText(problem)

    def _start(self) -> None:
        from PySide6.QtMultimedia import QCamera, QMediaCaptureSession, QMediaDevices, QVideoSink

        self._camera = QCamera(QMediaDevices.defaultVideoInput(), self)
        self._sink = QVideoSink(self)
        self._session = QMediaCaptureSession(self)
        self._session.setCamera(self._camera)
        self._session.setVideoSink(self._sink)
        self._sink.videoFrameChanged.connect(self._frame)
        self._camera.errorOccurred.connect(lambda _e, text: self.status.setText(f"The camera stopped: {text}"))
        self._camera.start()

    def _frame(self, frame: Any) -> None:
        self.show_frame(frame.toImage())

    def show_frame(self, image: QImage) -> None:
        """Show a frame and offer it to the decoder (the camera calls this; so do the tests, with photos)."""
        if image.isNull():
            return
        scaled = image.scaled(self.view.size(), Qt.AspectRatioMode.KeepAspectRatio,
                              Qt.TransformationMode.FastTransformation)  # fmt: skip
        self.view.setPixmap(QPixmap.fromImage(scaled))
        self.decoder.offer(image)

    def _tag_read(self, tag: str) -> None:
        self.tags.insertRows(0, 1)
        self.tags.setData(self.tags.index(0), tag)
        self.status.setText(f"Read {tag}.")
        self.on_tag(tag)

    def done(self, result: int) -> None:
        if self._camera is not None:
            self._camera.stop()
        super().done(result)
