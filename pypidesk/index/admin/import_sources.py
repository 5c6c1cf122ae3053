"""Where ``pypidesk admin import`` finds distributions: a folder or a Simple API index.

A folder is read as pypiserver keeps one, flat or one sub-folder per
project; a file's modification time is its upload time (pypiserver shows no
other). An index is listed through its Simple API, PEP 691 JSON when it
offers it, HTML otherwise (pypiserver, devpi, another pypidesk, PyPI); each
file's hashes and PEP 700 ``upload-time`` are taken from its page, and a
file without an ``upload-time`` is dated by the ``Last-Modified`` of its
download, which pypiserver and devpi send from the file's stored time.
"""

from __future__ import annotations

import datetime as dt
import email.utils
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import httpx
from pypi_simple import IndexPage, ProjectPage

from pypidesk.index.errors import ServerError
from pypidesk.index.storage import IncomingFile

# PEP 691: JSON preferred, HTML accepted, so any Simple API index answers.
ACCEPT = (
    "application/vnd.pypi.simple.v1+json, "
    "application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.1"
)
JSON_TYPE = "application/vnd.pypi.simple.v1+json"
# What may be a distribution; other files in a folder (an index.html, notes) are not looked at.
DIST_SUFFIXES = (".whl", ".tar.gz", ".zip", ".egg", ".exe", ".tar.bz2", ".tgz", ".msi")
CHUNK = 1024 * 1024
TIMEOUT = httpx.Timeout(30.0, connect=10.0)


class SourceError(ServerError):
    """The source cannot be read (a missing folder, an index that does not answer)."""


class FetchError(Exception):
    """One file could not be fetched from the source; the import reports it and goes on."""


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One distribution at the source, and what the source says about it."""

    filename: str
    # A path or a URL, for the messages.
    location: str
    sha256: str | None = None
    md5: str | None = None
    upload_time: dt.datetime | None = None


class Source(Protocol):
    """A place distributions are imported from."""

    def files(self) -> list[SourceFile]:
        """Every distribution the source holds (read before the first is imported)."""
        ...

    def problems(self) -> list[tuple[str, str]]:
        """``(where, why)`` of what could not be listed; those files are not counted."""
        ...

    def copy_into(self, file: SourceFile, sink: IncomingFile) -> dt.datetime | None:
        """Write the file's bytes to ``sink``; an upload time learnt on the way, if any.

        Raises :class:`FetchError` when the file cannot be read.
        """
        ...

    def close(self) -> None: ...


def is_distribution(filename: str) -> bool:
    return not filename.startswith(".") and filename.endswith(DIST_SUFFIXES)


class FolderSource:
    """A folder of distributions, flat or one sub-folder per project (pypiserver's layouts)."""

    def __init__(self, root: Path) -> None:
        if not root.is_dir():
            raise SourceError(f"{root} is not a folder of distributions or an index URL.")
        self.root = root

    def files(self) -> list[SourceFile]:
        found = []
        for path in sorted(self._walk(self.root)):
            mtime = path.stat().st_mtime
            found.append(
                SourceFile(
                    filename=path.name,
                    location=str(path),
                    upload_time=dt.datetime.fromtimestamp(mtime, dt.UTC),
                )
            )
        return found

    def _walk(self, folder: Path) -> Iterator[Path]:
        for entry in folder.iterdir():
            if entry.name.startswith("."):
                continue  # a .tmp of a running server, editors' files
            if entry.is_dir():
                yield from self._walk(entry)
            elif is_distribution(entry.name):
                yield entry

    def problems(self) -> list[tuple[str, str]]:
        return []

    def copy_into(self, file: SourceFile, sink: IncomingFile) -> dt.datetime | None:
        try:
            with open(file.location, "rb") as handle:  # noqa: PTH123 - a str path from files()
                while chunk := handle.read(CHUNK):
                    sink.write(chunk)
        except OSError as exc:
            raise FetchError(f"cannot read {file.location}: {exc.strerror}") from exc
        return None

    def close(self) -> None:
        """A folder holds nothing open."""


class IndexSource:
    """A Simple API index at ``url`` (``…/simple/``), read with one HTTP client."""

    def __init__(self, url: str, client: httpx.Client | None = None) -> None:
        self.url = url if url.endswith("/") else url + "/"
        parsed = httpx.URL(self.url)
        auth = (parsed.username, parsed.password) if parsed.username else None
        self.client = client or httpx.Client(
            auth=auth, timeout=TIMEOUT, follow_redirects=True, headers={"Accept": ACCEPT}
        )
        self._problems: list[tuple[str, str]] = []

    def _get(self, url: str) -> httpx.Response:
        try:
            response = self.client.get(url)
        except httpx.HTTPError as exc:
            raise SourceError(f"{url} did not answer: {exc}") from exc
        if response.status_code != 200:
            raise SourceError(f"{url} answered {response.status_code}.")
        return response

    def project_names(self) -> list[str]:
        response = self._get(self.url)
        if _is_json(response):
            return IndexPage.from_json_data(response.json()).projects
        return IndexPage.from_html(response.text).projects

    def project_page(self, name: str) -> ProjectPage:
        url = f"{self.url}{name}/"
        response = self._get(url)
        if _is_json(response):
            return ProjectPage.from_json_data(response.json(), base_url=str(response.url))
        return ProjectPage.from_html(name, response.text, base_url=str(response.url))

    def files(self) -> list[SourceFile]:
        found = []
        for name in self.project_names():
            try:
                page = self.project_page(name)
            except SourceError as exc:
                self._problems.append((name, str(exc)))
                continue
            for package in page.packages:
                if not is_distribution(package.filename):
                    continue
                found.append(
                    SourceFile(
                        filename=package.filename,
                        location=package.url,
                        sha256=package.digests.get("sha256"),
                        md5=package.digests.get("md5"),
                        upload_time=package.upload_time,
                    )
                )
        return found

    def problems(self) -> list[tuple[str, str]]:
        return list(self._problems)

    def copy_into(self, file: SourceFile, sink: IncomingFile) -> dt.datetime | None:
        try:
            with self.client.stream("GET", file.location, headers={"Accept": "*/*"}) as response:
                if response.status_code != 200:
                    raise FetchError(f"{file.location} answered {response.status_code}")
                for chunk in response.iter_bytes(CHUNK):
                    sink.write(chunk)
                return _last_modified(response.headers.get("last-modified"))
        except httpx.HTTPError as exc:
            raise FetchError(f"{file.location} could not be downloaded: {exc}") from exc

    def close(self) -> None:
        self.client.close()


def _is_json(response: httpx.Response) -> bool:
    return str(response.headers.get("content-type", "")).startswith(JSON_TYPE)


def _last_modified(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        return email.utils.parsedate_to_datetime(value).astimezone(dt.UTC)
    except (TypeError, ValueError):
        return None


def open_source(location: str) -> Source:
    """An :class:`IndexSource` for an http(s) URL, a :class:`FolderSource` otherwise."""
    if location.startswith(("http://", "https://")):
        return IndexSource(location)
    return FolderSource(Path(location))
