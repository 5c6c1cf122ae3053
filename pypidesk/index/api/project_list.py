"""What a list of projects shows beside each name, in two queries for any number of them.

The desktop app lists "my projects" with their latest version and last upload;
asking the JSON API once per project would be N+1 requests.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pypidesk.index.db.models import File, Release
from pypidesk.index.read.formats import is_prerelease, version_key


def latest_versions(session: Session, project_ids: Sequence[int]) -> dict[int, str]:
    """Each project's latest version, chosen as the JSON API's ``info.version`` is."""
    rows = session.execute(
        select(Release.project_id, Release.version, Release.yanked).where(
            Release.project_id.in_(project_ids)
        )
    )
    best: dict[int, tuple[bool, bool, object, str]] = {}
    for project_id, version, yanked in rows:
        # Non-yanked first, then final releases, then the highest version (PyPI's order).
        key = (not yanked, not is_prerelease(version), version_key(version), version)
        current = best.get(project_id)
        if current is None or key[:3] > current[:3]:
            best[project_id] = key
    return {project_id: key[3] for project_id, key in best.items()}


def last_uploads(session: Session, project_ids: Sequence[int]) -> dict[int, dt.datetime]:
    """When each project's newest file arrived; projects without files are left out."""
    rows = session.execute(
        select(Release.project_id, func.max(File.upload_time))
        .join(File, File.release_id == Release.id)
        .where(Release.project_id.in_(project_ids))
        .group_by(Release.project_id)
    )
    return {row[0]: row[1] for row in rows}
