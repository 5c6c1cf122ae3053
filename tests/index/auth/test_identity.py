"""Authentication and token checks with real argon2, real macaroons, a real database."""

import base64
import datetime as dt
import time
import types

import pytest
from pymacaroons import MACAROON_V2, Macaroon
from sqlalchemy import select

from pypidesk.index.auth import macaroons
from pypidesk.index.auth.identity import (
    AuthenticationError,
    Identity,
    TokenScopeError,
    authenticate,
    check_token,
)
from pypidesk.index.db.engine import Database
from pypidesk.index.db.models import ApiToken, Project, User
from pypidesk.index.records.accounts import create_token, revoke_token
from pypidesk.index.settings import ServerSettings
from tests.index.factories import PASSWORD, make_project, make_user, open_database

HELP = "https://pypi.org/help/#"
INVALID = (
    f"Invalid or non-existent authentication information. See {HELP}invalid-auth "
    "for more information."
)


def basic(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


def new_token(
    database: Database, settings: ServerSettings, username: str = "alice", **kwargs
) -> str:
    with database.write() as session:
        user = session.scalars(select(User).where(User.username == username)).one_or_none()
        user = user or make_user(session, username)
        return create_token(session, settings, user, kwargs.pop("name", "t"), **kwargs)


def attenuate(raw: str, *predicates: str) -> str:
    """What a token holder can do without the server: add caveats."""
    macaroon = Macaroon.deserialize(raw.removeprefix("pypi-"))
    for predicate in predicates:
        macaroon.add_first_party_caveat(predicate)
    return "pypi-" + macaroon.serialize()


def use(
    database: Database,
    settings: ServerSettings,
    raw: str,
    project_name: str | None = None,
    permission: str = "upload",
) -> Identity:
    """Authenticate with ``raw`` and check it for the named project, as an upload would."""
    with database.write() as session:
        identity = authenticate(session, settings, basic("__token__", raw), allow_password=False)
        project = None
        if project_name is not None:
            query = select(Project).where(Project.normalized_name == project_name)
            project = session.scalars(query).one()
        check_token(settings, identity, project=project, permission=permission)
        return identity


def scope_error(database: Database, settings: ServerSettings, raw: str, **kwargs) -> str:
    with pytest.raises(TokenScopeError) as error:
        use(database, settings, raw, **kwargs)
    assert str(error.value) == error.value.message
    return error.value.message


def auth_error(
    database: Database,
    settings: ServerSettings,
    authorization: str | None,
    *,
    allow_password: bool = False,
) -> str:
    with database.write() as session, pytest.raises(AuthenticationError) as error:
        authenticate(session, settings, authorization, allow_password=allow_password)
    assert str(error.value) == error.value.message
    return error.value.message


# --- presenting a token -------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        lambda raw: basic("__token__", raw),
        lambda raw: basic("__token__", f"  {raw}\n"),
        lambda raw: f"Bearer {raw}",
        lambda raw: f"bearer   {raw}  ",
        lambda raw: f"token {raw}",
        lambda raw: f"Token {raw}",
    ],
    ids=["basic", "basic-whitespace", "bearer", "bearer-lower-spaces", "token", "token-title"],
)
def test_token_round_trip(database: Database, server_settings: ServerSettings, header) -> None:
    raw = new_token(database, server_settings)
    before = dt.datetime.now(dt.UTC)
    with database.write() as session:
        identity = authenticate(session, server_settings, header(raw), allow_password=False)
        check_token(server_settings, identity, project=None)
        assert identity.user.username == "alice"
        assert identity.token is not None
        assert identity.token.name == "t"
    with database.read() as session:
        last_used = session.scalars(select(ApiToken.last_used)).one()
    assert last_used is not None
    # SQLite hands back naive datetimes; they are UTC.
    assert last_used.replace(tzinfo=dt.UTC) >= before.replace(microsecond=0)


def test_account_token_works_for_any_project(
    database: Database, server_settings: ServerSettings
) -> None:
    raw = new_token(database, server_settings)
    with database.write() as session:
        make_project(session, "anything")
    assert use(database, server_settings, raw, "anything").user.username == "alice"


def test_help_url_comes_from_settings(database: Database, data_dir) -> None:
    settings = ServerSettings(data_dir=data_dir, help_url="http://index.test/help/")
    assert auth_error(database, settings, None) == (
        "Invalid or non-existent authentication information. "
        "See http://index.test/help/#invalid-auth for more information."
    )


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "Basic",
        "Basic !!!not-base64!!!",
        "Basic " + base64.b64encode(b"__token__").decode(),  # no colon
        "Basic " + base64.b64encode(b"__token__:\xff\xfe").decode(),  # not UTF-8
        "Digest username=__token__",
        "Bearer",
        "Bearer not-a-pypi-token",
        "Bearer pypi-",
        "Bearer pypi-AgEIcHlwaWRlc2s",  # truncated macaroon
        basic("__token__", "pypi-!!!"),
    ],
)
def test_missing_or_malformed_credentials(
    database: Database, server_settings: ServerSettings, header: str | None
) -> None:
    assert auth_error(database, server_settings, header) == INVALID


def test_unknown_token_id(database: Database, server_settings: ServerSettings) -> None:
    forged = Macaroon(
        location="pypidesk", identifier="no-such-row", key=b"k" * 32, version=MACAROON_V2
    )
    assert auth_error(database, server_settings, f"Bearer pypi-{forged.serialize()}") == INVALID


def test_revoked_token_no_longer_authenticates(
    database: Database, server_settings: ServerSettings
) -> None:
    raw = new_token(database, server_settings)
    use(database, server_settings, raw)
    with database.write() as session:
        user = session.scalars(select(User)).one()
        revoke_token(session, user, "t")
    assert auth_error(database, server_settings, f"Bearer {raw}") == INVALID


def test_user_deleted_and_created_anew_does_not_inherit_tokens(
    database: Database, server_settings: ServerSettings
) -> None:
    raw = new_token(database, server_settings)
    with database.write() as session:
        session.delete(session.scalars(select(User)).one())
    with database.write() as session:
        make_user(session, "alice")
        assert session.scalars(select(ApiToken)).all() == []
    assert auth_error(database, server_settings, f"Bearer {raw}") == INVALID


def test_disabled_user_cannot_use_tokens(
    database: Database, server_settings: ServerSettings
) -> None:
    raw = new_token(database, server_settings)
    with database.write() as session:
        session.scalars(select(User)).one().is_active = False
    assert auth_error(database, server_settings, f"Bearer {raw}") == INVALID


# --- passwords ------------------------------------------------------------------------


def test_passwords_refused_like_pypi(database: Database, server_settings: ServerSettings) -> None:
    with database.write() as session:
        make_user(session)
    # Refused whatever the password: PyPI says so before looking at it.
    for password in (PASSWORD, "wrong"):
        assert auth_error(database, server_settings, basic("alice", password)) == (
            "Username/Password authentication is no longer supported. Migrate to API Tokens "
            f"or Trusted Publishers instead. See {HELP}apitoken and {HELP}trusted-publishers"
        )


def test_password_identity_when_allowed(
    database: Database, server_settings: ServerSettings
) -> None:
    with database.write() as session:
        make_user(session, "Alice")
    with database.write() as session:
        identity = authenticate(
            session, server_settings, basic("alice", PASSWORD), allow_password=True
        )
        assert identity.user.username == "Alice"
        assert identity.token is None
        # Nothing to check for a password: the caller's role check decides.
        check_token(server_settings, identity, project=None, permission="manage")


@pytest.mark.parametrize(
    ("username", "password"),
    [("alice", "wrong password"), ("nobody", PASSWORD), ("disabled", PASSWORD)],
)
def test_bad_passwords_when_allowed(
    database: Database, server_settings: ServerSettings, username: str, password: str
) -> None:
    with database.write() as session:
        make_user(session, "alice")
        make_user(session, "disabled", is_active=False)
    header = basic(username, password)
    assert auth_error(database, server_settings, header, allow_password=True) == INVALID


# --- caveats and scopes ---------------------------------------------------------------


def test_project_token_works_only_for_its_project(
    database: Database, server_settings: ServerSettings
) -> None:
    with database.write() as session:
        mine = make_project(session, "Mine")
        make_project(session, "theirs")
        user = make_user(session)
        raw = create_token(session, server_settings, user, "t", projects=[mine])
    use(database, server_settings, raw, "mine")
    assert scope_error(database, server_settings, raw, project_name="theirs") == (
        "Invalid API Token: project-scoped token is not valid for project: 'theirs'"
    )
    assert scope_error(database, server_settings, raw) == (
        "Invalid API Token: project-scoped token used outside of a project context"
    )


def test_project_deleted_and_registered_anew_refuses_old_token(
    database: Database, server_settings: ServerSettings
) -> None:
    with database.write() as session:
        project = make_project(session, "demo")
        user = make_user(session)
        raw = create_token(session, server_settings, user, "t", projects=[project])
    use(database, server_settings, raw, "demo")
    with database.write() as session:
        session.delete(session.scalars(select(Project)).one())
    with database.write() as session:
        make_project(session, "demo")
    assert scope_error(database, server_settings, raw, project_name="demo") == (
        "Invalid API Token: project-scoped token is not valid for project: 'demo'"
    )


def test_expired_token(
    database: Database, server_settings: ServerSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    expires = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    raw = new_token(database, server_settings, expires_at=expires)
    use(database, server_settings, raw)
    # Waiting a day is not an option: move the server's clock instead.
    deadline = int(expires.timestamp())
    clock = types.SimpleNamespace(time=lambda: deadline - 0.5)
    monkeypatch.setattr("pypidesk.index.auth.identity.time", clock)
    use(database, server_settings, raw)
    clock.time = lambda: deadline
    assert scope_error(database, server_settings, raw) == "Invalid API Token: token is expired"


def test_holder_added_expiry_is_honoured(
    database: Database, server_settings: ServerSettings
) -> None:
    raw = new_token(database, server_settings)
    now = int(time.time())
    later = attenuate(raw, f"[0,{now + 3600},{now - 10}]")
    assert later != raw
    assert use(database, server_settings, later).user.username == "alice"
    earlier = attenuate(raw, f"[0,{now},{now - 3600}]")
    assert scope_error(database, server_settings, earlier) == "Invalid API Token: token is expired"
    # The original token is untouched by its holder's restricted copies.
    use(database, server_settings, raw)


def test_holder_added_project_scope_is_honoured(
    database: Database, server_settings: ServerSettings
) -> None:
    raw = new_token(database, server_settings)
    with database.write() as session:
        uuid = make_project(session, "one").uuid
        make_project(session, "two")
    narrowed = attenuate(raw, '[1,["one"]]', f'[2,["{uuid}"]]')
    use(database, server_settings, narrowed, "one")
    assert scope_error(database, server_settings, narrowed, project_name="two") == (
        "Invalid API Token: project-scoped token is not valid for project: 'two'"
    )
    # A failure repeated by several caveats is reported once.
    twice = attenuate(raw, "[0,1,0]", "[0,2,0]")
    assert scope_error(database, server_settings, twice) == "Invalid API Token: token is expired"


def test_several_caveat_errors_are_joined(
    database: Database, server_settings: ServerSettings
) -> None:
    raw = new_token(database, server_settings)
    spoiled = attenuate(raw, "[0,1,0]", '[3,"someone-else"]', '{"legacy":1}')
    assert scope_error(database, server_settings, spoiled) == (
        "Invalid API Token: token is expired, current user does not match user restriction "
        """in token, unknown caveat: '{"legacy":1}'"""
    )


def test_third_party_caveats_are_unknown(
    database: Database, server_settings: ServerSettings
) -> None:
    raw = new_token(database, server_settings)
    macaroon = Macaroon.deserialize(raw.removeprefix("pypi-"))
    macaroon.add_third_party_caveat("https://auth.example", b"k" * 32, "who-knows")
    assert scope_error(database, server_settings, "pypi-" + macaroon.serialize()) == (
        "Invalid API Token: unknown caveat: third-party caveat at 'https://auth.example'"
    )


def test_tampered_signature(database: Database, server_settings: ServerSettings) -> None:
    raw = new_token(database, server_settings)
    macaroon = Macaroon.deserialize(raw.removeprefix("pypi-"))
    macaroon.signature = "00" * 32
    tampered = "pypi-" + macaroon.serialize()
    assert scope_error(database, server_settings, tampered) == (
        "Invalid API Token: signatures do not match"
    )


def test_stripping_a_caveat_breaks_the_signature(
    database: Database, server_settings: ServerSettings
) -> None:
    raw = new_token(database, server_settings)
    macaroon = Macaroon.deserialize(raw.removeprefix("pypi-"))
    macaroon.caveats.clear()
    stripped = "pypi-" + macaroon.serialize()
    assert scope_error(database, server_settings, stripped) == (
        "Invalid API Token: signatures do not match"
    )


def test_caveats_stored_with_the_row_are_checked_too(
    database: Database, server_settings: ServerSettings
) -> None:
    raw = new_token(database, server_settings)
    use(database, server_settings, raw)
    with database.write() as session:
        token = session.scalars(select(ApiToken)).one()
        token.caveats = [*token.caveats, [0, 1, 0]]  # the server tightens the token
    assert scope_error(database, server_settings, raw) == "Invalid API Token: token is expired"


def test_a_new_server_secret_invalidates_every_token(
    database: Database, server_settings: ServerSettings
) -> None:
    raw = new_token(database, server_settings)
    server_settings.resolved_secret_key_file.unlink()
    assert scope_error(database, server_settings, raw) == (
        "Invalid API Token: signatures do not match"
    )


def test_explicit_secret_file_and_domain(database: Database, data_dir, tmp_path) -> None:
    secret = tmp_path / "elsewhere" / "team.key"
    settings = ServerSettings(data_dir=data_dir, secret_key_file=secret, token_domain="idx.test")
    raw = new_token(database, settings)
    assert Macaroon.deserialize(raw.removeprefix("pypi-")).location == "idx.test"
    assert secret.exists()
    assert not (data_dir / "secret.key").exists()
    use(database, settings, raw)


def test_permissions_are_checked(database: Database, server_settings: ServerSettings) -> None:
    upload_only = new_token(database, server_settings, name="up")
    manage = new_token(database, server_settings, name="mg", permissions=["manage"])
    use(database, server_settings, upload_only, permission="upload")
    use(database, server_settings, manage, permission="manage")
    assert scope_error(database, server_settings, upload_only, permission="manage") == (
        "Invalid API Token: token does not have the 'manage' permission"
    )
    assert scope_error(database, server_settings, manage, permission="upload") == (
        "Invalid API Token: token does not have the 'upload' permission"
    )


def test_unknown_permission_is_a_programming_error(
    database: Database, server_settings: ServerSettings
) -> None:
    raw = new_token(database, server_settings)
    with pytest.raises(ValueError, match="unknown permission 'delete'"):
        use(database, server_settings, raw, permission="delete")


def test_identity_without_its_macaroon_is_refused(
    database: Database, server_settings: ServerSettings
) -> None:
    new_token(database, server_settings)
    with database.write() as session:
        token = session.scalars(select(ApiToken)).one()
        identity = Identity(user=token.user, token=token)
        with pytest.raises(TokenScopeError, match="signatures do not match"):
            check_token(server_settings, identity, project=None)


# --- what a leaked database gives away ------------------------------------------------


def test_database_holds_no_token_secret_nor_root_key(
    database: Database, server_settings: ServerSettings
) -> None:
    with database.write() as session:
        project = make_project(session, "demo")
    raws = [
        new_token(database, server_settings, name="account"),
        new_token(database, server_settings, name="scoped", projects=[project]),
        new_token(
            database, server_settings, "bob",
            expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=1),
        ),
    ]  # fmt: skip
    server_secret = server_settings.resolved_secret_key_file.read_bytes()
    forbidden: list[bytes] = [server_secret, server_secret.hex().encode()]
    with database.read() as session:
        rows = session.scalars(select(ApiToken)).all()
        assert len(rows) == 3
        for row in rows:
            key = macaroons.root_key(server_secret, row.id, row.key_salt)
            forbidden += [key, key.hex().encode(), base64.b64encode(key)]
    for raw in raws:
        body = raw.removeprefix("pypi-")
        macaroon = Macaroon.deserialize(body)
        forbidden += [raw.encode(), body.encode(), macaroon.signature_bytes]
        forbidden.append(bytes.fromhex(macaroon.signature_bytes.decode()))

    # Every column of every table, as the database hands them out...
    stored: list[bytes] = []
    with database.engine.connect() as connection:
        names = connection.exec_driver_sql("SELECT name FROM sqlite_master WHERE type='table'")
        for (table,) in names.all():
            for row in connection.exec_driver_sql(f'SELECT * FROM "{table}"').all():  # noqa: S608
                stored += [v if isinstance(v, bytes) else str(v).encode() for v in row]
    database.dispose()
    # ...and the raw file bytes, write-ahead log included.
    files = sorted(server_settings.data_dir.glob("pypidesk.sqlite3*"))
    assert files
    stored += [path.read_bytes() for path in files]
    assert any(row_salt in b"".join(stored) for row_salt in [rows[0].key_salt])
    for secret in forbidden:
        assert all(secret not in blob for blob in stored)

    # A forger with the database alone cannot make a working token.
    for row in rows:
        for guess in (row.key_salt, macaroons.root_key(b"", row.id, row.key_salt)):
            forged = macaroons.mint("pypidesk", row.id, guess, row.caveats)
            assert scope_error(database, server_settings, forged, project_name="demo") == (
                "Invalid API Token: signatures do not match"
            )


# --- the same on PostgreSQL -----------------------------------------------------------


def test_token_life_cycle_on_both_backends(data_dir, migrated_database_url: str) -> None:
    settings = ServerSettings(data_dir=data_dir, database_url=migrated_database_url)
    database = open_database(settings)
    try:
        with database.write() as session:
            project = make_project(session, "Demo")
            user = make_user(session, "Alice")
            scoped = create_token(session, settings, user, "scoped", projects=[project])
            account = create_token(session, settings, user, "account")
        assert use(database, settings, scoped, "demo").user.username == "Alice"
        assert use(database, settings, account, "demo").user.username == "Alice"
        with database.write() as session:
            header = basic("alice", PASSWORD)
            assert authenticate(session, settings, header, allow_password=True).token is None
            session.delete(session.scalars(select(Project)).one())
        with database.write() as session:
            make_project(session, "demo")
            revoke_token(session, session.scalars(select(User)).one(), "account")
        assert scope_error(database, settings, scoped, project_name="demo") == (
            "Invalid API Token: project-scoped token is not valid for project: 'demo'"
        )
        assert auth_error(database, settings, f"Bearer {account}") == INVALID
        # Strings the database would choke on never reach it.
        for identifier in ("nul\x00id", "0" * 36, "x" * 5000):
            forged = Macaroon(location="x", identifier=identifier, key=b"k", version=MACAROON_V2)
            assert auth_error(database, settings, f"Bearer pypi-{forged.serialize()}") == INVALID
        header = basic("ali\x00ce", PASSWORD)
        assert auth_error(database, settings, header, allow_password=True) == INVALID
    finally:
        database.dispose()


def test_cached_verification_never_accepts_a_changed_token() -> None:
    """Parsing and signature checks are cached per process; a changed token is a miss."""
    from pypidesk.index.auth.caveats import CaveatContext, request_user

    key = macaroons.root_key(b"s" * 32, "11111111-2222-4333-8444-555555555555", b"salt")
    caveats = [request_user("user-a")]
    raw = macaroons.mint("pypidesk", "11111111-2222-4333-8444-555555555555", key, caveats)
    context = CaveatContext(user_uuid="user-a", project=None, now=int(time.time()))
    parsed = macaroons.parse(raw)
    assert parsed is not None
    assert macaroons.parse(raw) is parsed  # the same text: the cached object
    assert macaroons.verify(parsed, key, caveats, context) == []
    assert macaroons.verify(parsed, key, caveats, context) == []  # answered from the cache

    # The same token checked against another key (its row's salt changed): refused.
    other_key = macaroons.root_key(b"s" * 32, "11111111-2222-4333-8444-555555555555", b"other")
    assert macaroons.verify(parsed, other_key, caveats, context) == [macaroons.SIGNATURE_MISMATCH]

    # The caveat rewritten in place, the old signature kept: a different text, refused.
    body = base64.urlsafe_b64decode(raw.removeprefix("pypi-") + "==")
    forged_body = body.replace(b"user-a", b"user-b")
    assert forged_body != body
    forged = "pypi-" + base64.urlsafe_b64encode(forged_body).decode().rstrip("=")
    forged_macaroon = macaroons.parse(forged)
    assert forged_macaroon is not None
    assert forged_macaroon is not parsed
    forged_context = CaveatContext(user_uuid="user-b", project=None, now=int(time.time()))
    assert macaroons.verify(forged_macaroon, key, caveats[:0], forged_context) == [
        macaroons.SIGNATURE_MISMATCH
    ]
