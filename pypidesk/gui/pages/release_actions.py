"""Yank, un-yank, delete a file, a release or the project: each confirmed as PyPI confirms it.

Every destructive step asks to type the version or the name (pypi-compat §7)
and says what cannot be undone: a deleted file's name can never be uploaded
again, not even after the project is deleted and made anew. On an index
without the maintainer API each action opens the index's own page for it
(PyPI's release or settings page) and says why; where there is none, it says
that too.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtWidgets import QWidget

from pypidesk.client.errors import ClientError
from pypidesk.client.manage import ManageAPI
from pypidesk.client.manage_support import ProjectPage
from pypidesk.client.models import DistFile, ReleaseInfo
from pypidesk.gui.dialogs import confirm_dialog, yank_dialog
from pypidesk.gui.pages.managed_page import UrlOpener, error_text
from pypidesk.gui.pages.project_tab import ManageAccess


class ReleaseActions(QObject):
    """The pane's destructive actions; they report through signals, the pane shows them."""

    #: The project changed on the index: reload the list and the project.
    changed = Signal()
    #: A sentence for the pane's notice line ("" hides it); the second value: is it a refusal.
    notice = Signal(str, bool)
    #: A short sentence for the status bar.
    status_message = Signal(str)

    def __init__(self, access: ManageAccess, open_url: UrlOpener, parent: QWidget) -> None:
        super().__init__(parent)
        self.access = access
        self._open_url = open_url
        self._parent = parent

    # -- where the API is missing ----------------------------------------------------------

    async def _api_or_web_page(
        self, page: ProjectPage, project: str, version: str | None, what: str
    ) -> ManageAPI | None:
        """The API to act with; or, without one, the index's own page opened (and why)."""
        try:
            has_api = await self.access.has_api()
        except ClientError as exc:
            text = self.tr("Couldn't reach the index: {0}").format(error_text(exc))
            self.notice.emit(text, True)
            return None
        index = self.access.index_name
        if not has_api:
            url = self.access.web_page(page, project, version)
            if url is None:
                self.notice.emit(
                    self.tr(
                        "{0} can't {1} from outside: it has no maintainer API and no web page "
                        "for it. On pypiserver, remove the files from its packages folder."
                    ).format(index, what),
                    True,
                )
                return None
            self._open_url(QUrl(url))
            self.notice.emit(
                self.tr(
                    "{0} has no API to {1}, so its own page opened in your browser: "
                    "finish there (it asks you to confirm, as here)."
                ).format(index, what),
                False,
            )
            return None
        api = self.access.api()
        if api is None:
            self.notice.emit(self.tr("Sign in to {0} from the toolbar first.").format(index), True)
        return api

    async def _run(self, failure: str, action: Awaitable[Any], done: str) -> bool:
        try:
            await action
        except ClientError as exc:
            self.notice.emit(f"{failure}: {error_text(exc)}", True)
            self.status_message.emit(failure)
            return False
        self.notice.emit("", False)
        self.status_message.emit(done)
        self.changed.emit()
        return True

    # -- the actions -----------------------------------------------------------------------

    async def yank_or_unyank(self, project: str, release: ReleaseInfo) -> bool:
        """Yank a release (asking a reason and the version), or un-yank a yanked one."""
        version = release.version
        what = self.tr("un-yank a release") if release.yanked else self.tr("yank a release")
        api = await self._api_or_web_page(ProjectPage.RELEASES, project, version, what)
        if api is None:
            return False
        if release.yanked:
            confirmed = await confirm_dialog.ask(
                self._parent,
                title=self.tr("Un-yank {0} {1}").format(project, version),
                text=self.tr(
                    "Un-yank {0} {1}? Installers will choose it again wherever it is the "
                    "best match, and its yank reason is cleared."
                ).format(project, version),
                word=version,
                confirm_label=self.tr("Un-yank release"),
            )
            if not confirmed:
                return False
            return await self._run(
                self.tr("Couldn't un-yank {0}").format(version),
                api.unyank(project, version),
                self.tr("{0} {1} un-yanked").format(project, version),
            )
        reason = await yank_dialog.ask(self._parent, project, version)
        if reason is None:
            return False
        return await self._run(
            self.tr("Couldn't yank {0}").format(version),
            api.yank(project, version, reason),
            self.tr("{0} {1} yanked").format(project, version),
        )

    async def delete_release(self, project: str, release: ReleaseInfo) -> bool:
        version = release.version
        api = await self._api_or_web_page(
            ProjectPage.RELEASES, project, version, self.tr("delete a release")
        )
        if api is None:
            return False
        names = ", ".join(f.filename for f in release.files) or self.tr("none")
        confirmed = await self._confirm(
            self.tr("Delete {0} {1}").format(project, version),
            self.tr(
                "Delete release {0} of {1} and its files ({2})? This cannot be undone, and "
                "these file names can never be used again, on this index, even for a new "
                "upload of the same version: you would have to publish a new version. "
                "Consider yanking instead."
            ).format(version, project, names),
            version,
            self.tr("Delete release"),
        )
        if not confirmed:
            return False
        return await self._run(
            self.tr("Couldn't delete {0}").format(version),
            api.delete_release(project, version),
            self.tr("{0} {1} deleted").format(project, version),
        )

    async def delete_file(self, project: str, file: DistFile, version: str) -> bool:
        api = await self._api_or_web_page(
            ProjectPage.RELEASES, project, version, self.tr("delete a file")
        )
        if api is None:
            return False
        # PyPI asks for the project's name before it deletes a file.
        confirmed = await self._confirm(
            self.tr("Delete {0}").format(file.filename),
            self.tr(
                "Delete {0}? This cannot be undone, and this file name can never be used "
                "again on this index: a fixed file needs a new version (or a build tag)."
            ).format(file.filename),
            project,
            self.tr("Delete file"),
        )
        if not confirmed:
            return False
        return await self._run(
            self.tr("Couldn't delete {0}").format(file.filename),
            api.delete_file(project, file.filename),
            self.tr("{0} deleted").format(file.filename),
        )

    async def delete_project(self, project: str) -> bool:
        api = await self._api_or_web_page(
            ProjectPage.SETTINGS, project, None, self.tr("delete a project")
        )
        if api is None:
            return False
        confirmed = await self._confirm(
            self.tr("Delete project {0}").format(project),
            self.tr(
                "Delete {0} with every release and file, its collaborators and its "
                "invitations? This cannot be undone. Anyone may register the name again, "
                "but none of its file names can ever be uploaded again."
            ).format(project),
            project,
            self.tr("Delete project"),
        )
        if not confirmed:
            return False
        return await self._run(
            self.tr("Couldn't delete {0}").format(project),
            api.delete_project(project),
            self.tr("{0} deleted").format(project),
        )

    async def _confirm(self, title: str, text: str, word: str, label: str) -> bool:
        return await confirm_dialog.ask(
            self._parent, title=title, text=text, word=word, confirm_label=label
        )
