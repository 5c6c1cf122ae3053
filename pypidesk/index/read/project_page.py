"""``/project/<name>/``: a plain page a person lands on from pip's output or the app.

The description is the HTML readme_renderer produced (and sanitized) at upload
time, taken from the latest release as PyPI's page does.
"""

from __future__ import annotations

from html import escape

from pypidesk.index.db.models import Project, Release
from pypidesk.index.read.formats import file_url, iso_time, version_key
from pypidesk.index.read.http import Page, make_page
from pypidesk.index.read.json_api import latest_release
from pypidesk.index.read.surrogate import project_key


def _files_table(release: Release, base: str) -> str:
    rows = "".join(
        f'<tr><td><a href="{escape(file_url(base, f))}">{escape(f.filename)}</a></td>'
        f"<td>{f.size}</td><td><code>{f.sha256_digest}</code></td></tr>\n"
        for f in sorted(release.files, key=lambda f: f.filename)
    )
    return (
        "<table><thead><tr><th>File</th><th>Size</th><th>SHA256</th></tr></thead>\n"
        f"<tbody>\n{rows}</tbody></table>\n"
    )


def _release_item(release: Release) -> str:
    state = " (yanked)" if release.yanked else ""
    uploaded = iso_time(release.created)
    return f"<li>{escape(release.version)}{state} <small>{uploaded}</small></li>\n"


def render(project: Project, base: str) -> Page:
    """The project's page: latest summary and description, every release, latest files."""
    name = escape(project.name)
    if project.releases:
        latest = latest_release(project.releases)
        ordered = sorted(project.releases, key=lambda r: version_key(r.version), reverse=True)
        summary = f"<p>{escape(latest.summary or '')}</p>\n"
        body = (
            f"<h1>{name} {escape(latest.version)}</h1>\n{summary}"
            f"<pre>pip install {name}</pre>\n"
            f'<section class="description">{latest.description_html or ""}</section>\n'
            f"<h2>Files of {escape(latest.version)}</h2>\n{_files_table(latest, base)}"
            f"<h2>Release history</h2>\n<ul>\n{''.join(map(_release_item, ordered))}</ul>\n"
        )
    else:
        body = f"<h1>{name}</h1>\n<p>No releases yet.</p>\n"
    html = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{name} · pypidesk</title>\n</head>\n<body>\n{body}"
        f'<p><a href="/simple/{escape(project.normalized_name)}/">Simple index</a></p>\n'
        "</body>\n</html>\n"
    )
    return make_page(
        200,
        "text/html; charset=UTF-8",
        html.encode(),
        [
            ("cache-control", "public, max-age=600"),
            ("surrogate-key", project_key(project.normalized_name)),
            ("x-pypi-last-serial", str(project.last_serial)),
        ],
        cors=False,
        compress=True,
    )
