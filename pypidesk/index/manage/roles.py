"""Collaborators: roles, invitations, and PyPI's rules for both.

An Owner invites a user as Owner or Maintainer; the invitee accepts or
declines; an Owner revokes a pending invitation, changes a role or removes a
collaborator. Journal texts and refusals are PyPI's (``invite Owner bob``,
"Cannot remove yourself as Sole Owner"), so mirrors and people see the same
history as on PyPI.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from pypidesk.index.db.models import Project, Role, RoleInvitation, User, utcnow
from pypidesk.index.manage.context import Context, as_utc
from pypidesk.index.manage.errors import (
    ConflictError,
    ManageError,
    NotFoundError,
    PermissionDeniedError,
)
from pypidesk.index.manage.lookup import (
    get_project,
    get_user,
    require_collaborator,
    require_owner,
    role_of,
)
from pypidesk.index.records.role_names import ROLE_NAMES, RoleName

# PyPI's code default for the invitation link's lifetime (token.default.max_age).
DEFAULT_INVITATION_LIFETIME = dt.timedelta(hours=6)


@dataclasses.dataclass(frozen=True)
class Collaborators:
    roles: list[Role]
    invitations: list[RoleInvitation]  # pending ones; only Owners see them


def _check_role_name(role_name: str) -> RoleName:
    """``role_name`` as a role; it may come from outside as any text."""
    if role_name not in ROLE_NAMES:
        raise ManageError(
            f"Unknown role '{role_name}'; use '{RoleName.OWNER}' or '{RoleName.MAINTAINER}'.",
            code="invalid_role",
        )
    return RoleName(role_name)


def _sorted_roles(roles: list[Role]) -> list[Role]:
    return sorted(roles, key=lambda role: (role.role_name != RoleName.OWNER, role.user.username))


def is_pending(invitation: RoleInvitation, now: dt.datetime | None = None) -> bool:
    return as_utc(invitation.expires_at) > (now or utcnow())


def _invitation(session: Session, user: User, project: Project) -> RoleInvitation | None:
    return session.scalar(
        select(RoleInvitation).where(
            RoleInvitation.user_id == user.id, RoleInvitation.project_id == project.id
        )
    )


def list_collaborators(ctx: Context, project_name: str) -> Collaborators:
    """Roles (Owners first) for collaborators; pending invitations too for Owners."""
    project = get_project(ctx.session, project_name)
    role = require_collaborator(ctx, project)
    invitations: list[RoleInvitation] = []
    if role is None or role.role_name == RoleName.OWNER:
        invitations = [
            invitation
            for invitation in ctx.session.scalars(
                select(RoleInvitation)
                .where(RoleInvitation.project_id == project.id)
                .order_by(RoleInvitation.created)
            )
            if is_pending(invitation)
        ]
    return Collaborators(_sorted_roles(list(project.roles)), invitations)


def invite(
    ctx: Context,
    project_name: str,
    username: str,
    role_name: str,
    *,
    lifetime: dt.timedelta = DEFAULT_INVITATION_LIFETIME,
) -> RoleInvitation:
    """Invite ``username`` as ``role_name``; PyPI refuses existing roles and live invites."""
    role_name = _check_role_name(role_name)
    ctx.require_writable()
    project = get_project(ctx.session, project_name)
    require_owner(ctx, project)
    user = get_user(ctx.session, username)
    _refuse_existing_role(ctx.session, user, project)
    invitation = _invitation(ctx.session, user, project)
    if invitation is not None:
        if is_pending(invitation):
            raise ConflictError(
                f"User '{user.username}' already has an active invite. Please try again later.",
                code="already_invited",
            )
        # An expired invitation no longer blocks a new one (PyPI expires them every 5 min).
        ctx.session.delete(invitation)
        ctx.session.flush()
    invitation = RoleInvitation(
        user_id=user.id,
        project_id=project.id,
        inviter_id=None if ctx.actor.user is None else ctx.actor.user.id,
        role_name=role_name,
        expires_at=utcnow() + lifetime,
    )
    ctx.session.add(invitation)
    ctx.journal(project, f"invite {role_name} {user.username}")
    ctx.event(
        "project:role:invite",
        project=project.name,
        target_user=user.username,
        role_name=role_name,
        expires_at=as_utc(invitation.expires_at).isoformat(),
    )
    return invitation


def _own_invitation(ctx: Context, project_name: str) -> tuple[User, Project, RoleInvitation]:
    user = ctx.actor.user
    if user is None:
        raise PermissionDeniedError(
            "Only the invited user can answer an invitation.", code="not_invitee"
        )
    ctx.require_writable()
    project = get_project(ctx.session, project_name)
    invitation = _invitation(ctx.session, user, project)
    if invitation is None:
        raise NotFoundError(
            f"No invitation to project '{project.name}' for user '{user.username}'."
        )
    return user, project, invitation


def accept_invitation(ctx: Context, project_name: str) -> Role:
    """The invitee takes the offered role; the invitation is used up."""
    user, project, invitation = _own_invitation(ctx, project_name)
    if not is_pending(invitation):
        raise ConflictError(
            f"The invitation to project '{project.name}' has expired; "
            "ask an Owner to invite you again.",
            code="invitation_expired",
        )
    role = Role(user=user, project=project, role_name=invitation.role_name)
    ctx.session.add(role)
    ctx.session.delete(invitation)
    ctx.journal(project, f"accepted {role.role_name} {user.username}")
    ctx.event("project:role:accepted", project=project.name, role_name=role.role_name)
    return role


def decline_invitation(ctx: Context, project_name: str) -> None:
    """The invitee says no; PyPI writes no journal entry for it, only history."""
    _user, project, invitation = _own_invitation(ctx, project_name)
    ctx.session.delete(invitation)
    ctx.event("project:role:decline_invite", project=project.name, role_name=invitation.role_name)


def revoke_invitation(ctx: Context, project_name: str, username: str) -> None:
    """An Owner withdraws a pending (or expired) invitation."""
    ctx.require_writable()
    project = get_project(ctx.session, project_name)
    require_owner(ctx, project)
    user = get_user(ctx.session, username)
    invitation = _invitation(ctx.session, user, project)
    if invitation is None:
        raise NotFoundError(
            f"No invitation to project '{project.name}' for user '{user.username}'."
        )
    ctx.session.delete(invitation)
    ctx.journal(project, f"revoke_invite {invitation.role_name} {user.username}")
    ctx.event(
        "project:role:revoke_invite",
        project=project.name,
        target_user=user.username,
        role_name=invitation.role_name,
    )


def _role(ctx: Context, project: Project, user: User) -> Role:
    role = role_of(ctx.session, user, project)
    if role is None:
        raise NotFoundError(f"User '{user.username}' has no role in project '{project.name}'.")
    return role


def change_role(ctx: Context, project_name: str, username: str, role_name: str) -> Role:
    """An Owner changes a collaborator's role, never their own (PyPI's rule)."""
    role_name = _check_role_name(role_name)
    ctx.require_writable()
    project = get_project(ctx.session, project_name)
    require_owner(ctx, project)
    user = get_user(ctx.session, username)
    role = _role(ctx, project, user)
    if ctx.actor.user is not None and user.id == ctx.actor.user.id:
        raise ConflictError("Cannot remove yourself as Owner", code="self_owner")
    if role.role_name == role_name:
        return role
    old = role.role_name
    role.role_name = role_name
    ctx.journal(project, f"change {old} {user.username} to {role_name}")
    ctx.event(
        "project:role:change",
        project=project.name,
        target_user=user.username,
        old_role_name=old,
        role_name=role_name,
    )
    return role


def remove_role(ctx: Context, project_name: str, username: str) -> None:
    """An Owner removes a collaborator; anyone may leave, except a project's sole Owner."""
    ctx.require_writable()
    project = get_project(ctx.session, project_name)
    user = get_user(ctx.session, username)
    actor = ctx.actor.user
    leaving = actor is not None and actor.id == user.id
    if not leaving:
        require_owner(ctx, project)
    role = _role(ctx, project, user)
    if leaving and role.role_name == RoleName.OWNER:
        owners = [r for r in project.roles if r.role_name == RoleName.OWNER]
        if len(owners) == 1:
            raise ConflictError("Cannot remove yourself as Sole Owner", code="sole_owner")
    ctx.session.delete(role)
    ctx.journal(project, f"remove {role.role_name} {user.username}")
    ctx.event(
        "project:role:remove",
        project=project.name,
        target_user=user.username,
        role_name=role.role_name,
    )


def add_role(ctx: Context, project_name: str, username: str, role_name: str) -> Role:
    """The administrator grants a role directly, without an invitation."""
    role_name = _check_role_name(role_name)
    if not ctx.actor.is_admin:
        raise PermissionDeniedError(
            "Only the server administrator can add a role directly; invite the user instead.",
            code="admin_only",
        )
    project = get_project(ctx.session, project_name)
    user = get_user(ctx.session, username)
    _refuse_existing_role(ctx.session, user, project)
    invitation = _invitation(ctx.session, user, project)
    if invitation is not None:
        ctx.session.delete(invitation)
    role = Role(user=user, project=project, role_name=role_name)
    ctx.session.add(role)
    ctx.journal(project, f"add {role_name} {user.username}")
    ctx.event(
        "project:role:add", project=project.name, target_user=user.username, role_name=role_name
    )
    return role


def projects_of(session: Session, user: User) -> list[tuple[Project, RoleName]]:
    """The user's projects with their role in each, by name."""
    rows = session.execute(
        select(Project, Role.role_name)
        .join(Role, Role.project_id == Project.id)
        .where(Role.user_id == user.id)
        .order_by(Project.normalized_name)
    )
    return [(project, role_name) for project, role_name in rows]


def invitations_of(session: Session, user: User) -> list[RoleInvitation]:
    """The user's pending invitations, oldest first."""
    invitations = session.scalars(
        select(RoleInvitation)
        .where(RoleInvitation.user_id == user.id)
        .order_by(RoleInvitation.created)
    )
    return [invitation for invitation in invitations if is_pending(invitation)]


def _refuse_existing_role(session: Session, user: User, project: Project) -> None:
    """PyPI's refusal to invite or add someone who already has a role."""
    existing = role_of(session, user, project)
    if existing is not None:
        raise ConflictError(
            f"User '{user.username}' already has {existing.role_name} role for project",
            code="already_has_role",
        )
