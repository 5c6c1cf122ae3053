"""PyPI's admin kill switches, read from the ``admin_flags`` table by id.

The ids are PyPI's own ("read-only", "disallow-new-upload", ...). A flag
without a row is off.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from pypidesk.index.db.models import AdminFlag

READ_ONLY = "read-only"
DISALLOW_NEW_UPLOAD = "disallow-new-upload"
DISALLOW_NEW_PROJECT_REGISTRATION = "disallow-new-project-registration"


def is_enabled(session: Session, flag_id: str) -> bool:
    """Whether the admin flag ``flag_id`` is switched on."""
    flag = session.get(AdminFlag, flag_id)
    return flag is not None and flag.enabled
