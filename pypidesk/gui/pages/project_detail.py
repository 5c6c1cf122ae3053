"""The right half of the Projects page: one project's releases, files and description."""

from __future__ import annotations

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QFont, QGuiApplication
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from pypidesk.client.models import DistFile, ProjectDetail, ReleaseInfo
from pypidesk.gui.formatting import count_text
from pypidesk.gui.models.projects import FilesModel, ReleasesModel
from pypidesk.gui.record_view import RecordTableView


def open_url(url: QUrl) -> bool:
    """Open ``url`` in the user's browser (tests replace this)."""
    return QDesktopServices.openUrl(url)  # pragma: no cover - would open a real browser


def _name(widget: QWidget, object_name: str, accessible_name: str) -> None:
    widget.setObjectName(object_name)
    widget.setAccessibleName(accessible_name)


class ProjectDetailPane(QWidget):
    """Header, then tabs Releases | Files | Description; or a message (loading, error)."""

    #: The user asked to load the project again after an error.
    retry_requested = Signal()

    RELEASES_TAB, FILES_TAB, DESCRIPTION_TAB = range(3)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.detail: ProjectDetail | None = None

        self.header = QLabel()
        font = QFont(self.header.font())
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.header.setFont(font)
        self.summary = QLabel()
        self.summary.setWordWrap(True)

        self.releases_model = ReleasesModel(self)
        self.releases_view = RecordTableView(
            self.releases_model, "releasesTable", self.tr("Releases")
        )
        self.releases_view.selectionModel().selectionChanged.connect(self._release_changed)

        files_tab = self._build_files_tab()

        self.description = QTextBrowser()
        _name(self.description, "descriptionBrowser", self.tr("Description"))
        # Links leave the app for the browser; the view never navigates itself.
        self.description.setOpenLinks(False)
        self.description.anchorClicked.connect(self._open_link)

        self.tabs = QTabWidget()
        _name(self.tabs, "projectTabs", self.tr("Project details"))
        _name(self.tabs.tabBar(), "projectTabBar", self.tr("Project detail tabs"))
        self.tabs.addTab(self.releases_view, self.tr("Releases"))
        self.tabs.addTab(files_tab, self.tr("Files"))
        self.tabs.addTab(self.description, self.tr("Description"))

        content = QWidget()
        content_layout = QVBoxLayout(content)
        content_layout.setContentsMargins(0, 0, 0, 0)
        content_layout.addWidget(self.header)
        content_layout.addWidget(self.summary)
        content_layout.addWidget(self.tabs, 1)

        self.stack = QStackedWidget()
        self.stack.addWidget(content)
        self.stack.addWidget(self._build_message_page())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)
        self.show_message(self.tr("Select a project to see its releases and files."))

    def _build_files_tab(self) -> QWidget:
        self.files_model = FilesModel(self)
        self.files_view = RecordTableView(self.files_model, "filesTable", self.tr("Files"))
        # Filenames are long (name, version and every tag): give them the room.
        self.files_view.set_column_widths(250, 55, 60, 75, 100)
        self.files_view.doubleClicked.connect(lambda _index: self.open_selected_file())
        self.files_caption = QLabel()
        self.copy_sha_button = QPushButton(self.tr("Copy sha256"))
        _name(self.copy_sha_button, "copySha256Button", self.tr("Copy the file's sha256"))
        self.copy_sha_button.clicked.connect(self.copy_selected_sha256)
        self.open_file_button = QPushButton(self.tr("Open file link"))
        _name(self.open_file_button, "openFileButton", self.tr("Open the file's link"))
        self.open_file_button.clicked.connect(self.open_selected_file)
        self.files_view.selectionModel().selectionChanged.connect(self._update_file_buttons)
        files_tab = QWidget()
        files_buttons = QHBoxLayout()
        files_buttons.addWidget(self.files_caption, 1)
        files_buttons.addWidget(self.copy_sha_button)
        files_buttons.addWidget(self.open_file_button)
        files_layout = QVBoxLayout(files_tab)
        files_layout.setContentsMargins(0, 0, 0, 0)
        files_layout.addLayout(files_buttons)
        files_layout.addWidget(self.files_view)
        return files_tab

    def _build_message_page(self) -> QWidget:
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.retry_button = QPushButton(self.tr("Retry"))
        _name(self.retry_button, "projectRetryButton", self.tr("Load the project again"))
        self.retry_button.clicked.connect(self.retry_requested)
        message_page = QWidget()
        message_layout = QVBoxLayout(message_page)
        message_layout.addStretch(1)
        message_layout.addWidget(self.message)
        message_layout.addWidget(self.retry_button)
        message_layout.addStretch(2)
        return message_page

    # -- states ----------------------------------------------------------------------------

    def show_message(self, text: str, *, retry: bool = False) -> None:
        self.message.setText(text)
        self.retry_button.setVisible(retry)
        self.stack.setCurrentIndex(1)

    def show_detail(self, detail: ProjectDetail, description_html: str) -> None:
        """Show ``detail``; ``description_html`` is already rendered (off the GUI thread)."""
        same_project = self.detail is not None and self.detail.name == detail.name
        selected = self.selected_release()
        self.detail = detail
        self.header.setText(
            f"{detail.name} {detail.latest_version}" if detail.latest_version else detail.name
        )
        self.summary.setText(detail.summary or "")
        self.summary.setVisible(bool(detail.summary))
        self.releases_model.set_records(detail.releases)
        row = 0
        if same_project and selected is not None:
            found = self.releases_model.row_where(lambda r: r.version == selected.version)
            row = found if found is not None else 0
        if detail.releases:
            self.releases_view.select_row(row)
        else:
            self._show_files(None)
        if description_html:
            self.description.setHtml(description_html)
        elif detail.source == "simple":
            self.description.setPlainText(
                self.tr("This index only offers the Simple API, which has no descriptions.")
            )
        else:
            self.description.setPlainText(self.tr("This project has no description."))
        self.stack.setCurrentIndex(0)

    def _open_link(self, url: QUrl) -> None:
        open_url(url)

    # -- releases and files ------------------------------------------------------------

    def selected_release(self) -> ReleaseInfo | None:
        rows = self.releases_view.selected_rows()
        return self.releases_model.record(rows[0]) if rows else None

    def selected_file(self) -> DistFile | None:
        rows = self.files_view.selected_rows()
        return self.files_model.record(rows[0]) if rows else None

    def _release_changed(self) -> None:
        self._show_files(self.selected_release())

    def _show_files(self, release: ReleaseInfo | None) -> None:
        self.files_model.set_records(release.files if release else ())
        if release is None:
            self.files_caption.setText(self.tr("No release selected."))
        else:
            count = len(release.files)
            caption = count_text("ProjectDetailPane", count, "1 file in %1", "%n files in %1")
            self.files_caption.setText(caption.replace("%1", release.version))
            if release.files:
                self.files_view.select_row(0)
        self._update_file_buttons()

    def _update_file_buttons(self) -> None:
        file = self.selected_file()
        self.copy_sha_button.setEnabled(file is not None and file.sha256 is not None)
        self.open_file_button.setEnabled(file is not None and bool(file.url))

    def copy_selected_sha256(self) -> None:
        file = self.selected_file()
        if file is not None and file.sha256 is not None:
            QGuiApplication.clipboard().setText(file.sha256)

    def open_selected_file(self) -> None:
        file = self.selected_file()
        if file is not None and file.url:
            open_url(QUrl(file.url))
