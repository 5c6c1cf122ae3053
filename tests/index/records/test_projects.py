"""Project registration: PyPI's name rules, rate limit, Owner role and journal."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import select

from pypidesk.index.db.engine import Database
from pypidesk.index.db.models import AdminFlag, JournalEntry, Role, User
from pypidesk.index.records.projects import (
    ProjectCreationError,
    allow_name,
    create_project,
    is_valid_name,
    prohibit_name,
    ultranormalize,
)
from pypidesk.index.records.stdlib_names import is_stdlib_name
from pypidesk.index.settings import ServerSettings
from tests.index.factories import make_user

HELP = "https://pypi.org/help/"


@pytest.fixture
def alice(database: Database) -> User:
    with database.write() as session:
        return make_user(session)


def refusal(
    database: Database, settings: ServerSettings, name: str, user: User
) -> tuple[int, str]:
    with pytest.raises(ProjectCreationError) as info, database.write() as session:
        create_project(session, settings, name, user)
    return info.value.status, info.value.message


def test_creation_makes_owner_and_journal(
    database: Database, server_settings: ServerSettings, alice: User
) -> None:
    with database.write() as session:
        project = create_project(session, server_settings, "Cool.Thing", alice)
        assert project.normalized_name == "cool-thing"
    with database.read() as session:
        assert session.scalar(select(Role.role_name)) == "Owner"
        entries = session.execute(select(JournalEntry.name, JournalEntry.action)).all()
    assert entries == [("Cool.Thing", "create"), ("Cool.Thing", "add Owner alice")]


@pytest.mark.parametrize(
    ("name", "status", "message"),
    [
        ("-bad", 400, "The name '-bad' is invalid."),
        ("caf\u00e9", 400, "The name 'caf\u00e9' is invalid."),
        (
            "AsyncIO",
            400,
            "The name 'AsyncIO' isn't allowed (conflict with Python Standard Library module "
            f"name). See {HELP}#project-name for more information.",
        ),
        (
            "distutils",
            400,
            "The name 'distutils' isn't allowed (conflict with Python Standard Library module "
            f"name). See {HELP}#project-name for more information.",
        ),
        (
            "Toasting",
            409,
            f"The name 'Toasting' conflicts with an existing project. See {HELP}#project-name "
            "for more information.",
        ),
        (
            "t0ast1ng",
            400,
            f"The name 't0ast1ng' is too similar to an existing project. See {HELP}#project-name "
            "for more information.",
        ),
        (
            "toast-ing",
            400,
            f"The name 'toast-ing' is too similar to an existing project. See {HELP}#project-name "
            "for more information.",
        ),
    ],
)
def test_name_rules(
    database: Database,
    server_settings: ServerSettings,
    alice: User,
    *,
    name: str,
    status: int,
    message: str,
) -> None:
    with database.write() as session:
        create_project(session, server_settings, "toasting", alice)
    assert refusal(database, server_settings, name, alice) == (status, message)


def test_registration_switch(
    database: Database, server_settings: ServerSettings, alice: User
) -> None:
    with database.write() as session:
        session.add(AdminFlag(id="disallow-new-project-registration", enabled=True))
    assert refusal(database, server_settings, "fine", alice) == (
        403,
        f"New project registration temporarily disabled. See {HELP}#admin-intervention for "
        "more information.",
    )


def test_twenty_projects_per_hour(
    database: Database, server_settings: ServerSettings, alice: User
) -> None:
    settings = dataclasses.replace(server_settings, help_url=HELP)
    with database.write() as session:
        for number in range(20):
            create_project(session, settings, f"p{number}x", alice)
    assert refusal(database, settings, "one-more", alice) == (429, "Too many new projects created")
    with database.write() as session:
        bob = make_user(session, "bob")
        create_project(session, settings, "bobs", bob)


def test_the_operator_may_lift_or_change_the_limit(
    database: Database, server_settings: ServerSettings, alice: User
) -> None:
    unlimited = dataclasses.replace(server_settings, new_projects_per_hour=0)
    with database.write() as session:
        for number in range(25):
            create_project(session, unlimited, f"p{number}x", alice)
    twenty_six = dataclasses.replace(server_settings, new_projects_per_hour=26)
    with database.write() as session:
        create_project(session, twenty_six, "twenty-sixth", alice)
    assert refusal(database, twenty_six, "one-more", alice) == (
        429,
        "Too many new projects created",
    )


def test_helpers() -> None:
    assert is_valid_name("a")
    assert not is_valid_name("a b")
    assert ultranormalize("T0-Ast_1.Ing") == "t0ast11ng"
    assert is_stdlib_name("Os")
    assert is_stdlib_name("urllib2")
    assert not is_stdlib_name("requests")


def test_prohibited_names_in_any_spelling(
    database: Database, server_settings: ServerSettings, alice: User
) -> None:
    with database.write() as session:
        assert prohibit_name(session, "Evil_Pkg", "typosquat of evil-package") == "evil-pkg"
        assert prohibit_name(session, "evil.pkg") == "evil-pkg"  # already listed: no change
        create_project(session, server_settings, "spam", alice)
        prohibit_name(session, "Spam")
    assert refusal(database, server_settings, "EVIL-pkg", alice) == (
        400,
        f"The name 'EVIL-pkg' isn't allowed. See {HELP}#project-name for more information.",
    )
    # An existing project keeps its own answer: the 409 comes first, as on PyPI.
    assert refusal(database, server_settings, "spam", alice)[0] == 409
    with database.write() as session:
        assert allow_name(session, "evil.PKG") == "evil-pkg"
        create_project(session, server_settings, "evil_pkg", alice)


def test_prohibiting_needs_a_valid_name_and_allowing_a_listed_one(database: Database) -> None:
    with pytest.raises(ProjectCreationError) as info, database.write() as session:
        prohibit_name(session, "-bad-")
    assert info.value.message == "The name '-bad-' is invalid."
    with pytest.raises(ProjectCreationError) as info, database.write() as session:
        allow_name(session, "fine")
    assert info.value.message == "The name 'fine' is not prohibited."
