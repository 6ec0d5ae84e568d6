"""The rules of accounts and sign-in, without a database: password strength and hashing,
lockout after failures in a row, one-time secrets, the policy from settings, the session
claim in tokens."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from gateway.accounts.limits import SignInLimits
from gateway.accounts.passwords import check_password, hash_password, password_weaknesses
from gateway.accounts.rules import (
    SECRET_PATTERN,
    AccountsPolicy,
    Lockout,
    digest,
    new_secret,
    parse_stamp,
    stamp,
)
from gateway.core.tokens import InvalidTokenError, issue_token, verify_token
from gravity.cli import main
from shared.config import ConfigError, load_settings

NOW = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
POLICY = AccountsPolicy(lockout_failures=3, lockout=timedelta(minutes=15))


def settings(**accounts: object):
    return load_settings(environ={}, overrides={"accounts": accounts})


def test_a_long_uncommon_password_other_than_the_username_is_strong_enough():
    assert password_weaknesses("river-lantern-summer", "wang.li") == []


def test_a_short_password_is_too_weak():
    assert password_weaknesses("short1!", "wang.li") == ["shorter than 10 characters"]


def test_a_common_password_is_too_weak_whatever_its_case():
    assert password_weaknesses("QwertyUiop", "wang.li") == ["a commonly used password"]


def test_a_password_equal_to_the_username_is_too_weak():
    assert password_weaknesses("Wang.Li.2024", "wang.li.2024") == ["the same as the username"]


def test_a_password_is_stored_as_an_argon2id_hash_that_checks_only_itself():
    stored = hash_password("river-lantern-summer")
    assert stored.startswith("$argon2id$")
    assert "river-lantern-summer" not in stored
    assert check_password(stored, "river-lantern-summer")
    assert not check_password(stored, "river-lantern-winter")


def test_an_unknown_account_is_checked_against_a_dummy_hash_and_never_matches():
    assert not check_password(None, "no account has this password: it is checked to spend")
    assert not check_password(None, "")


def test_a_broken_stored_hash_never_matches():
    assert not check_password("not-a-hash", "river-lantern-summer")


def test_failures_below_the_limit_count_without_locking():
    after = Lockout().after_failure(POLICY, NOW).after_failure(POLICY, NOW)
    assert after == Lockout(2, None)
    assert not after.is_locked(NOW)


def test_the_nth_failure_in_a_row_locks_the_account_for_the_lockout_period():
    after = Lockout(2, None).after_failure(POLICY, NOW)
    assert after == Lockout(0, NOW + timedelta(minutes=15))
    assert after.is_locked(NOW + timedelta(minutes=14))
    assert not after.is_locked(NOW + timedelta(minutes=15))


def test_after_a_lock_expires_the_count_starts_anew():
    expired = Lockout(0, NOW - timedelta(minutes=1))
    assert expired.after_failure(POLICY, NOW) == Lockout(1, None)


def test_a_success_clears_the_count():
    assert Lockout.after_success() == Lockout(0, None)


def test_a_secret_has_256_random_bits_and_is_stored_as_its_sha256():
    first, second = new_secret(), new_secret()
    assert first != second
    assert len(first) == 43
    assert re.fullmatch(SECRET_PATTERN, first)
    assert len(digest(first)) == 64
    assert first not in digest(first)


def test_timestamps_round_trip_in_utc():
    assert stamp(NOW) == "2026-07-01T09:00:00.000000Z"
    assert parse_stamp(stamp(NOW)) == NOW


def test_the_policy_comes_from_settings_with_defaults():
    policy = AccountsPolicy.from_settings(settings())
    assert policy.invitation_ttl == timedelta(hours=72)
    assert policy.access_token_ttl_seconds == 900
    assert policy.lockout_failures == 5
    custom = AccountsPolicy.from_settings(settings(invitation_ttl_hours=1, lockout_failures=3))
    assert (custom.invitation_ttl, custom.lockout_failures) == (timedelta(hours=1), 3)


@pytest.mark.parametrize(
    "accounts",
    [
        {"lockout_failures": 0},
        {"invitation_ttl_hours": -1},
        {"lockout_minutes": "soon"},
        {"access_token_ttl_seconds": 10**9},
    ],
)
def test_a_nonsensical_accounts_setting_is_refused(accounts):
    with pytest.raises(ConfigError):
        AccountsPolicy.from_settings(settings(**accounts))


def test_sign_in_attempts_are_limited_per_address_and_per_username():
    limits = SignInLimits(
        AccountsPolicy(sign_in_per_minute_per_address=3, sign_in_per_minute_per_account=2)
    )
    assert [limits.wait("10.0.0.1", "wang.li") for _ in range(2)] == [0, 0]
    assert limits.wait("10.0.0.1", "Wang.Li") > 0  # the username's bucket is empty
    assert limits.wait("10.0.0.1", "zhao.min") > 0  # so is the address's by now
    assert limits.wait("10.0.0.2", "zhao.min") == 0


def test_a_signed_in_token_carries_its_session_and_a_development_one_none():
    config = settings()
    signed_in = verify_token(config, issue_token(config, "student", "s-1", 900, session_id="x"))
    assert (signed_in.subject, signed_in.role, signed_in.session_id) == ("s-1", "student", "x")
    assert verify_token(config, issue_token(config, "operator", "me")).session_id is None


def test_a_session_claim_that_is_not_a_string_is_refused():
    config = settings()
    now = int(datetime.now(UTC).timestamp())
    claims = {"iss": "gravity", "sub": "me", "role": "operator", "iat": now, "exp": now + 60}
    token = jwt.encode(claims | {"sid": 7}, config.jwt_secret, algorithm="HS256")
    with pytest.raises(InvalidTokenError):
        verify_token(config, token)


def test_gravity_token_refuses_to_run_in_production(monkeypatch, capsys):
    monkeypatch.setenv("GRAVITY_ENV", "production")
    assert main(["token", "--role", "operator", "--subject", "me"]) == 2
    captured = capsys.readouterr()
    assert (captured.out, "refused with GRAVITY_ENV=production" in captured.err) == ("", True)


@pytest.mark.parametrize("ttl", ["0", "-5", "999999999"])
def test_gravity_token_refuses_a_lifetime_out_of_range_with_a_message(ttl, capsys):
    assert main(["token", "--role", "operator", "--subject", "me", "--ttl", ttl]) == 2
    assert "a token lives from 1 to" in capsys.readouterr().err
