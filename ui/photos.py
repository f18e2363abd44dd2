"""An asset's photos: thumbnails, add from a file or by drag and drop, open full size, remove."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QModelIndex, QPoint, QSize, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QDragEnterEvent,
    QDropEvent,
    QIcon,
    QImageReader,
    QKeySequence,
    QPixmap,
    QStandardItem,
    QStandardItemModel,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QLabel,
    QListView,
    QMenu,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.attachments import PHOTO_SUFFIXES, blob_path, is_photo
from ui.file_dialogs import Folder, ask_open_files

PATH_ROLE = Qt.ItemDataRole.UserRole + 1
ID_ROLE = Qt.ItemDataRole.UserRole + 2
THUMB = 96


def thumbnail(path: Path, size: int = THUMB) -> QPixmap:
    """A small preview decoded at thumbnail size (fast even for a 12-megapixel photo)."""
    reader = QImageReader(str(path))
    reader.setAutoTransform(True)
    original = reader.size()
    if original.isValid():
        reader.setScaledSize(original.scaled(size, size, Qt.AspectRatioMode.KeepAspectRatio))
    image = reader.read()
    return QPixmap.fromImage(image) if not image.isNull() else QPixmap()


class PhotoViewer(QDialog):
    """The photo at full size, scrollable."""

    def __init__(self, path: Path, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        layout = QVBoxLayout(self)
        area = QScrollArea(self)
        label = QLabel(area)
        label.setPixmap(QPixmap(str(path)))
        label.setAccessibleName(title)
        area.setWidget(label)
        area.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(area)
        self.resize(900, 700)


class PhotoStrip(QWidget):
    """Shows the photos given by `load`; asks for new ones through `add_requested` (the editor stores them) and
    for the removal of the selected one through `remove_requested` (attachment id, file name)."""

    add_requested = Signal(list)  # list[Path]
    remove_requested = Signal(str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAcceptDrops(True)
        self.blobs_dir: Path | None = None
        self.model = QStandardItemModel(self)
        self.view = QListView(self)
        self.view.setObjectName("photoList")
        self.view.setAccessibleName("Photos")
        self.view.setViewMode(QListView.ViewMode.IconMode)
        self.view.setIconSize(QSize(THUMB, THUMB))
        self.view.setGridSize(QSize(THUMB + 24, THUMB + 36))
        self.view.setResizeMode(QListView.ResizeMode.Adjust)
        self.view.setMovement(QListView.Movement.Static)
        self.view.setModel(self.model)
        self.view.activated.connect(lambda index: self.open_photo(index.row()))
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._context_menu)
        self.add_button = QPushButton("Add photo…", self)
        self.add_button.setAccessibleName("Add photo")
        self.add_button.clicked.connect(self.choose_files)
        self.remove_button = QPushButton("Remove photo", self)
        self.remove_button.setAccessibleName("Remove the selected photo")
        self.remove_button.setEnabled(False)
        self.remove_button.clicked.connect(self.remove_selected)
        #: Delete on the selected thumbnail removes it, as the button does (only while the list has the focus).
        self.remove_action = QAction("Remove photo", self.view)
        self.remove_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        self.remove_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.remove_action.triggered.connect(self.remove_selected)
        self.view.addAction(self.remove_action)
        self.view.selectionModel().selectionChanged.connect(lambda *_args: self._enable_remove())
        self.hint = QLabel("Drop photos here, or add them from a file.", self)
        self.hint.setObjectName("editorSubtitle")
        self.hint.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.hint, 1)
        row.addWidget(self.remove_button)
        row.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(row)
        layout.addWidget(self.view, 1)
        self.opener: Callable[[Path, str], None] = self._show_viewer

    def set_enabled_for(self, saved: bool) -> None:
        self.add_button.setEnabled(saved)
        self.hint.setText(
            "Drop photos here, or add them from a file." if saved else "Save the asset first, then add photos."
        )
        self._enable_remove()

    def _enable_remove(self) -> None:
        self.remove_button.setEnabled(self.add_button.isEnabled() and self.selected_row() >= 0)

    def selected_row(self) -> int:
        rows = self.view.selectionModel().selectedRows()
        return rows[0].row() if rows else -1

    def remove_selected(self) -> None:
        item = self.model.item(self.selected_row()) if self.selected_row() >= 0 else None
        if item is not None and self.add_button.isEnabled():
            self.remove_requested.emit(str(item.data(ID_ROLE)), item.text())

    def _context_menu(self, pos: QPoint) -> None:
        index: QModelIndex = self.view.indexAt(pos)
        if not index.isValid() or not self.add_button.isEnabled():
            return
        self.view.setCurrentIndex(index)
        menu = QMenu(self)
        menu.addAction("Open").triggered.connect(lambda: self.open_photo(index.row()))
        menu.addAction("Remove photo").triggered.connect(self.remove_selected)
        menu.exec(self.view.viewport().mapToGlobal(pos))

    def load(self, photos: list[tuple[str, str, str]]) -> None:
        """Show (attachment id, sha256, file name) triples read from the blob store."""
        self.model.clear()
        for attachment_id, sha, filename in photos:
            path = blob_path(self.blobs_dir, sha) if self.blobs_dir else Path(sha)
            item = QStandardItem(QIcon(thumbnail(path)), filename)
            item.setEditable(False)
            item.setToolTip(filename)
            item.setData(str(path), PATH_ROLE)
            item.setData(attachment_id, ID_ROLE)
            item.setData(f"Photo {filename}", Qt.ItemDataRole.AccessibleTextRole)
            self.model.appendRow(item)
        self._enable_remove()

    def count(self) -> int:
        return self.model.rowCount()

    def open_photo(self, row: int) -> None:
        item = self.model.item(row)
        if item is not None:
            self.opener(Path(str(item.data(PATH_ROLE))), item.text())

    def _show_viewer(self, path: Path, title: str) -> None:
        PhotoViewer(path, title, self).exec()

    def choose_files(self) -> None:
        patterns = " ".join(f"*{suffix}" for suffix in sorted(PHOTO_SUFFIXES))
        names = ask_open_files(self, Folder.PHOTOS, "Add photos", f"Photos ({patterns})")
        if names:
            self.add_requested.emit([Path(n) for n in names])

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        urls = event.mimeData().urls()
        if self.add_button.isEnabled() and any(is_photo(Path(u.toLocalFile())) for u in urls if u.isLocalFile()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        photos = [p for p in paths if is_photo(p)]
        if photos:
            self.add_requested.emit(photos)
            event.acceptProposedAction()
