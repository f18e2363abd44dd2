"""A signature pad: the client signs with a mouse, a pen or a finger; the strokes become a PNG."""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRect, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QImage,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QTabletEvent,
    QTouchEvent,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

INK = QColor(16, 32, 96)
PEN_WIDTH = 2.6


class SignaturePad(QWidget):
    """Draw strokes with any pointing device; `to_png()` gives the signature cropped on a transparent background."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("signaturePad")
        self.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents, True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(360, 140)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setAccessibleName("Signature pad")
        self._strokes: list[QPainterPath] = []
        self._current: QPainterPath | None = None

    def sizeHint(self) -> QSize:
        return QSize(520, 180)

    # -- drawing ----------------------------------------------------------------------------------------------

    def is_empty(self) -> bool:
        return not self._strokes and self._current is None

    def clear(self) -> None:
        self._strokes.clear()
        self._current = None
        self.update()
        self.changed.emit()

    def begin_stroke(self, point: QPointF) -> None:
        self._current = QPainterPath(point)
        self._current.lineTo(point + QPointF(0.1, 0.1))  # a dot is a stroke too
        self.update()

    def extend_stroke(self, point: QPointF) -> None:
        if self._current is not None:
            self._current.lineTo(point)
            self.update()

    def end_stroke(self) -> None:
        if self._current is not None:
            self._strokes.append(self._current)
            self._current = None
            self.update()
            self.changed.emit()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.begin_stroke(event.position())

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if event.buttons() & Qt.MouseButton.LeftButton:
            self.extend_stroke(event.position())

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.end_stroke()

    def tabletEvent(self, event: QTabletEvent) -> None:
        kind = event.type()
        if kind == QTabletEvent.Type.TabletPress:
            self.begin_stroke(event.position())
        elif kind == QTabletEvent.Type.TabletMove:
            self.extend_stroke(event.position())
        elif kind == QTabletEvent.Type.TabletRelease:
            self.end_stroke()
        event.accept()

    def event(self, event: object) -> bool:
        if isinstance(event, QTouchEvent):
            points = event.points()
            if points:
                pos = points[0].position()
                kind = event.type()
                if kind == QTouchEvent.Type.TouchBegin:
                    self.begin_stroke(pos)
                elif kind == QTouchEvent.Type.TouchUpdate:
                    self.extend_stroke(pos)
                else:
                    self.end_stroke()
            event.accept()
            return True
        return super().event(event)  # type: ignore[arg-type]

    # -- painting and export ----------------------------------------------------------------------------------

    def _pen(self) -> QPen:
        pen = QPen(INK, PEN_WIDTH, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin)
        return pen

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("white"))
        painter.setPen(QPen(QColor(180, 188, 200), 1, Qt.PenStyle.DashLine))
        baseline = int(self.height() * 0.75)
        painter.drawLine(16, baseline, self.width() - 16, baseline)
        if self.is_empty():
            painter.setPen(QColor(150, 158, 170))
            painter.drawText(QRect(16, baseline + 4, self.width() - 32, 24), 0, "Sign above the line")
        painter.setPen(self._pen())
        for path in [*self._strokes, *([self._current] if self._current is not None else [])]:
            painter.drawPath(path)
        painter.end()

    def to_image(self, margin: int = 8) -> QImage:
        """The strokes on a transparent image cropped to the signature (plus a small margin)."""
        bounds = QRect()
        for path in self._strokes:
            bounds = bounds.united(path.boundingRect().toAlignedRect())
        if bounds.isNull():
            bounds = QRect(0, 0, 1, 1)
        bounds = bounds.adjusted(-margin, -margin, margin, margin)
        image = QImage(bounds.size(), QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.translate(-bounds.topLeft())
        painter.setPen(self._pen())
        for path in self._strokes:
            painter.drawPath(path)
        painter.end()
        return image

    def to_png(self) -> bytes:
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        self.to_image().save(buffer, "PNG")  # type: ignore[call-overload]  # (the stubs say bytes; Qt takes str)
        buffer.close()
        return bytes(data.data())
