from pypidesk.index.auth.passwords import hash_password, verify_password


def test_hash_is_argon2id_and_salted() -> None:
    first = hash_password("s3cret-pass")
    second = hash_password("s3cret-pass")
    assert first.startswith("$argon2id$")
    assert first != second
    assert "s3cret-pass" not in first


def test_verify_accepts_the_password_and_refuses_others() -> None:
    stored = hash_password("s3cret-pass")
    assert verify_password(stored, "s3cret-pass") is True
    assert verify_password(stored, "s3cret-pasS") is False


def test_a_malformed_hash_never_matches() -> None:
    assert verify_password("not-a-hash", "anything") is False
    assert verify_password("$argon2id$v=19$m=65536,t=3,p=4$broken", "anything") is False
