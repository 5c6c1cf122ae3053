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
    AnyIdentity,
    AuthenticationError,
    Identity,
    TokenScopeError,
    authenticate,
    check_token,
    invalid_credentials,
    password_identity,
    presented_credentials,
    token_id_of,
)
from pypidesk.index.db.models import ApiToken, Project, Role, StagingSession, User
from pypidesk.index.records.role_names import ROLE_NAMES
from pypidesk.index.settings import ServerSettings
from pypidesk.index.staging.problems import ProblemError
from pypidesk.index.staging.records import SessionRow, StagingRecords
from pypidesk.index.upload.records import ProjectRecord

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
        raise _unauthenticated(exc) from None


def _unauthenticated(exc: AuthenticationError) -> ProblemError:
    return ProblemError(
        401, exc.message, errors=[("authorization", exc.message)],
        headers={"WWW-Authenticate": CHALLENGE},
    )  # fmt: skip


def record_principal(
    records: StagingRecords, settings: ServerSettings, authorization: str | None
) -> AnyIdentity:
    """:func:`principal` in plain statements, for the per-file requests (as ``POST /legacy/``)."""
    try:
        found = presented_credentials(
            settings, authorization, allow_password=settings.allow_password_uploads
        )
        if isinstance(found, tuple):
            return password_identity(records.session, settings, *found)
        token_id = token_id_of(found)
        owner = None if token_id is None else records.token(token_id)
        if owner is None or not owner.user_is_active:
            raise invalid_credentials(settings)
    except AuthenticationError as exc:
        raise _unauthenticated(exc) from None
    records.token_used(owner.token.id)
    return Identity(user=owner.user, token=owner.token, macaroon=found)


def record_authorize(
    records: StagingRecords, settings: ServerSettings, identity: AnyIdentity, row: SessionRow
) -> ProjectRecord | None:
    """:func:`authorize` on a session acted on, in plain statements."""
    found = records.project_and_role(identity.user.id, row.normalized_name)
    project = None
    if found is None:
        if row.creator_id != identity.user.id:
            raise _forbidden(settings, identity.user.username, row.name)
    elif found.role not in ROLE_NAMES:
        raise _forbidden(settings, identity.user.username, found.project.name)
    else:
        project = found.project
    _check_scope(settings, identity, project)
    return project


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
    _check_scope(settings, identity, project)
    return project


def _check_scope(
    settings: ServerSettings, identity: AnyIdentity, project: Project | ProjectRecord | None
) -> None:
    try:
        check_token(settings, identity, project=project)
    except TokenScopeError as exc:
        raise ProblemError(403, exc.message, errors=[("authorization", exc.message)]) from None


def _forbidden(settings: ServerSettings, username: str, name: str) -> ProblemError:
    message = (
        f"The user {username!r} isn't allowed to upload to project {name!r}. "
        f"See {settings.help_url}#project-name for more information."
    )
    return ProblemError(403, message, errors=[("authorization", message)])
