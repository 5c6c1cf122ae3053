import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select

from pypidesk.index.auth.passwords import verify_password
from pypidesk.index.db.engine import Database
from pypidesk.index.db.models import ApiToken
from pypidesk.index.records import accounts
from pypidesk.index.records.accounts import (
    AccountError,
    create_token,
    create_user,
    get_user,
    revoke_token,
)
from pypidesk.index.settings import ServerSettings
from tests.index.factories import PASSWORD, make_project, make_user

NAME_RULE = "A token name must be 1 to 100 characters long, without control characters."


@pytest.fixture
def server_settings(data_dir: Path, migrated_database_url: str) -> ServerSettings:
    """Every accounts test runs on SQLite and on PostgreSQL."""
    return ServerSettings(data_dir=data_dir, database_url=migrated_database_url)


def test_create_user_stores_an_argon2_hash(database: Database) -> None:
    with database.write() as session:
        user = create_user(session, "Alice.B_c-1", "alice@example.org", PASSWORD)
    with database.read() as session:
        stored = get_user(session, "alice.b_C-1")
        assert stored.id == user.id
        assert stored.username == "Alice.B_c-1"
        assert stored.email == "alice@example.org"
        assert stored.is_active
        assert stored.password_hash.startswith("$argon2id$")
        assert verify_password(stored.password_hash, PASSWORD)


@pytest.mark.parametrize(
    "username",
    ["", "-alice", "alice-", ".a", "a_", "al ice", "alïce", "a" * 51, "__token__", "a/b"],
)
def test_bad_usernames_are_refused(database: Database, username: str) -> None:
    with database.write() as session, pytest.raises(AccountError) as error:
        create_user(session, username, "a@example.org", PASSWORD)
    assert str(error.value) == (
        f"The username {username!r} is invalid: use at most 50 ASCII letters, digits, "
        "'.', '_' and '-', starting and ending with a letter or digit."
    )


@pytest.mark.parametrize("username", ["a", "A9", "a" * 50, "x.y-z_0"])
def test_good_usernames_are_accepted(database: Database, username: str) -> None:
    with database.write() as session:
        assert create_user(session, username, "a@example.org", PASSWORD).username == username


@pytest.mark.parametrize(
    "email",
    ["", "alice", "alice@", "@example.org", "alice@localhost", "a b@example.org",
     "a@@example.org", "a@example..org", "a@example.org.", f"{'a' * 250}@x.org"],
)  # fmt: skip
def test_implausible_emails_are_refused(database: Database, email: str) -> None:
    with database.write() as session, pytest.raises(AccountError) as error:
        create_user(session, "alice", email, PASSWORD)
    assert str(error.value) == f"The email address {email!r} is not valid."


@pytest.mark.parametrize("password", ["", "1234567", "x" * 4097])
def test_password_length_is_enforced(database: Database, password: str) -> None:
    with database.write() as session, pytest.raises(AccountError) as error:
        create_user(session, "alice", "a@example.org", password)
    assert str(error.value) == "The password must be 8 to 4096 characters long."


def test_password_of_exactly_eight_is_enough(database: Database) -> None:
    with database.write() as session:
        create_user(session, "alice", "a@example.org", "12345678")


def test_duplicate_usernames_differing_only_in_case_are_refused(database: Database) -> None:
    with database.write() as session:
        make_user(session, "alice")
    with database.write() as session, pytest.raises(AccountError) as error:
        create_user(session, "ALICE", "b@example.org", PASSWORD)
    assert str(error.value) == "User 'ALICE' already exists."


def test_get_user_names_the_missing_user(database: Database) -> None:
    with database.read() as session, pytest.raises(AccountError) as error:
        get_user(session, "nobody")
    assert str(error.value) == "No user named 'nobody'."


@pytest.mark.parametrize("username", ["nobody", "nul\x00", "-x-"])
def test_find_user_returns_none_for_a_missing_user(database: Database, username: str) -> None:
    with database.read() as session:
        assert accounts.find_user(session, username) is None


def test_create_token_records_scope_and_caveats(
    database: Database, server_settings: ServerSettings
) -> None:
    expires = dt.datetime.now(dt.UTC) + dt.timedelta(days=3)
    with database.write() as session:
        user = make_user(session)
        one, two = make_project(session, "Zeta_Pkg"), make_project(session, "alpha")
        raw = create_token(
            session, server_settings, user, "ci", projects=[one, two, one],
            expires_at=expires, permissions=["manage", "upload", "manage"],
        )  # fmt: skip
    assert raw.startswith("pypi-")
    with database.read() as session:
        token = session.scalars(select(ApiToken)).one()
        assert token.name == "ci"
        assert token.user_id == user.id
        assert token.permissions == ["manage", "upload"]
        assert token.project_names == ["alpha", "zeta-pkg"]
        assert token.project_uuids == sorted([one.uuid, two.uuid])
        assert token.expires_at is not None
        # SQLite hands back naive datetimes; they are UTC.
        stored_expiry = token.expires_at.replace(tzinfo=dt.UTC)
        assert abs(stored_expiry.timestamp() - expires.timestamp()) < 1
        assert len(token.key_salt) == 32
        created = int(token.created.replace(tzinfo=dt.UTC).timestamp())
        assert token.caveats == [
            [1, ["alpha", "zeta-pkg"]],
            [2, sorted([one.uuid, two.uuid])],
            [0, int(expires.timestamp()), created],
        ]


def test_an_account_wide_token_is_bound_to_its_user(
    database: Database, server_settings: ServerSettings
) -> None:
    with database.write() as session:
        user = make_user(session)
        create_token(session, server_settings, user, "everything")
    with database.read() as session:
        token = session.scalars(select(ApiToken)).one()
        assert token.caveats == [[3, user.uuid]]
        assert token.permissions == ["upload"]
        assert token.project_names == token.project_uuids == []
        assert token.expires_at is None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": ""}, NAME_RULE),
        ({"name": "n" * 101}, NAME_RULE),
        ({"name": "nul\x00"}, NAME_RULE),
        ({"name": "line\nbreak"}, NAME_RULE),
        ({"permissions": []}, "A token needs a permission: 'upload' and/or 'manage'."),
        (
            {"permissions": ["upload", "delete"]},
            "Unknown token permission 'delete'; use 'upload' and/or 'manage'.",
        ),
        (
            {"expires_at": dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)},
            "The token's expiry time must be in the future.",
        ),
    ],
)
def test_create_token_refuses_bad_requests(
    database: Database, server_settings: ServerSettings, kwargs: dict, message: str
) -> None:
    arguments = {"name": "ci", **kwargs}
    with database.write() as session:
        user = make_user(session)
        with pytest.raises(AccountError) as error:
            create_token(session, server_settings, user, **arguments)
        assert str(error.value) == message
        assert session.scalars(select(ApiToken)).all() == []


def test_create_token_requires_an_aware_expiry(
    database: Database, server_settings: ServerSettings
) -> None:
    with database.write() as session:
        user = make_user(session)
        with pytest.raises(ValueError, match="timezone-aware"):
            create_token(session, server_settings, user, "ci", expires_at=dt.datetime(2999, 1, 1))


def test_token_names_are_unique_per_user(
    database: Database, server_settings: ServerSettings
) -> None:
    with database.write() as session:
        alice, bob = make_user(session, "alice"), make_user(session, "bob")
        create_token(session, server_settings, alice, "ci")
        create_token(session, server_settings, bob, "ci")
        with pytest.raises(AccountError) as error:
            create_token(session, server_settings, alice, "ci")
    assert str(error.value) == "User 'alice' already has a token named 'ci'."


def test_revoke_token_by_name_or_id_deletes_only_that_token(
    database: Database, server_settings: ServerSettings
) -> None:
    with database.write() as session:
        alice, bob = make_user(session, "alice"), make_user(session, "bob")
        for name in ("one", "two", "three"):
            create_token(session, server_settings, alice, name)
        create_token(session, server_settings, bob, "one")
        two_id = session.scalars(select(ApiToken.id).where(ApiToken.name == "two")).one()
    with database.write() as session:
        revoke_token(session, alice, "one")
        revoke_token(session, alice, two_id)
    with database.read() as session:
        left = session.execute(select(ApiToken.name, ApiToken.user_id)).all()
    assert sorted(left) == sorted([("three", alice.id), ("one", bob.id)])


def test_revoking_a_missing_token_names_it(
    database: Database, server_settings: ServerSettings
) -> None:
    with database.write() as session:
        alice, bob = make_user(session, "alice"), make_user(session, "bob")
        create_token(session, server_settings, bob, "bobs")
        with pytest.raises(AccountError) as error:
            revoke_token(session, alice, "bobs")
    assert str(error.value) == "User 'alice' has no token named 'bobs'."
    with database.write() as session, pytest.raises(AccountError) as error:
        revoke_token(session, alice, "nul\x00")
    assert str(error.value) == "User 'alice' has no token named 'nul\\x00'."
