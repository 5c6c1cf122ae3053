"""Small builders for account tests: users with a real password hash, projects."""

from __future__ import annotations

import functools

from packaging.utils import canonicalize_name
from sqlalchemy.orm import Session

from pypidesk.index.auth.passwords import hash_password
from pypidesk.index.db.models import Project, User
from tests.index.factories import open_database

__all__ = ["PASSWORD", "make_project", "make_user", "open_database", "password_hash"]

PASSWORD = "correct horse battery"


@functools.cache
def password_hash() -> str:
    # argon2 is slow on purpose; one hash serves every test user.
    return hash_password(PASSWORD)


def make_user(session: Session, username: str = "alice", *, is_active: bool = True) -> User:
    user = User(
        username=username,
        email=f"{username}@example.org",
        password_hash=password_hash(),
        is_active=is_active,
    )
    session.add(user)
    session.flush()
    return user


def make_project(session: Session, name: str = "demo-pkg") -> Project:
    project = Project(name=name, normalized_name=canonicalize_name(name))
    session.add(project)
    session.flush()
    return project
