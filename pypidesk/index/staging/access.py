"""Who may act on a publishing session, checked afresh on every request.

The draft's "Session authorization": any principal currently allowed to
upload to the project may act on its session; one who lost that right gets
403 on the next request, one who gained it may join. For a first release
(no project yet) only the session's creator may. Missing or wrong
credentials get 401 with ``WWW-Authenticate`` (the legacy API answers 403).
"""

from __future__ import annotations

from packaging.utils import canonicalize_name
from sqlalchemy import select
from sqlalchemy.orm import Session

from pypidesk.index.auth.identity import (
    AuthenticationError,
    Identity,
    TokenScopeError,
    authenticate,
    check_token,
)
from pypidesk.index.db.models import ApiToken, Project, Role, StagingSession, User
from pypidesk.index.records.role_names import ROLE_NAMES
from pypidesk.index.settings import ServerSettings
from pypidesk.index.staging.problems import ProblemError

CHALLENGE = 'Basic realm="pypidesk upload", Bearer realm="pypidesk upload"'


def principal(
    session: Session, settings: ServerSettings, authorization: str | None
) -> Identity[User, ApiToken]:
    """The authenticated user and token, or a 401 problem."""
    try:
        return authenticate(
            session, settings, authorization, allow_password=settings.allow_password_uploads
        )
    except AuthenticationError as exc:
        raise ProblemError(
            401, exc.message, errors=[("authorization", exc.message)],
            headers={"WWW-Authenticate": CHALLENGE},
        ) from None  # fmt: skip


def authorize(
    session: Session,
    settings: ServerSettings,
    identity: Identity[User, ApiToken],
    name: str,
    staged: StagingSession | None,
) -> Project | None:
    """The project named ``name`` (None: not registered yet) if the principal may upload to it.

    ``staged`` is the session acted on (None while creating one).
    """
    project = session.scalar(
        select(Project).where(Project.normalized_name == canonicalize_name(name))
    )
    user = identity.user
    if project is None:
        if staged is not None and staged.creator_id != user.id:
            raise _forbidden(settings, user.username, name)
    else:
        role = session.scalar(
            select(Role.role_name).where(Role.project_id == project.id, Role.user_id == user.id)
        )
        if role not in ROLE_NAMES:
            raise _forbidden(settings, user.username, project.name)
    try:
        check_token(settings, identity, project=project)
    except TokenScopeError as exc:
        raise ProblemError(403, exc.message, errors=[("authorization", exc.message)]) from None
    return project


def _forbidden(settings: ServerSettings, username: str, name: str) -> ProblemError:
    message = (
        f"The user {username!r} isn't allowed to upload to project {name!r}. "
        f"See {settings.help_url}#project-name for more information."
    )
    return ProblemError(403, message, errors=[("authorization", message)])
