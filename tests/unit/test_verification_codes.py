"""The public verification code of a serial: a keyed MAC that only the secret's holder can
make, checked in constant time."""

from __future__ import annotations

import base64
import hashlib
import hmac

from shared.config import load_settings
from shared.verification_codes import CODE_LENGTH, is_valid_code, verification_code

SECRET = "Vq8-from-the-vault-3mZp8rT4wYb6nK7Qx2"


def test_the_code_is_the_serials_hmac_sha256_in_base32_cut_to_sixteen_characters():
    digest = hmac.new(SECRET.encode(), b"ADV-2023-0001", hashlib.sha256).digest()
    expected = base64.b32encode(digest).decode()[:16]
    assert verification_code(SECRET, "ADV-2023-0001") == expected
    assert len(expected) == CODE_LENGTH
    assert set(expected) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")


def test_the_code_verifies_its_own_serial_only():
    code = verification_code(SECRET, "ADV-2023-0001")
    assert is_valid_code(SECRET, "ADV-2023-0001", code)
    assert not is_valid_code(SECRET, "ADV-2023-0002", code)
    assert not is_valid_code(SECRET, "APT-2023-0001", code)


def test_neighbouring_serials_have_unrelated_codes_and_another_secret_makes_other_codes():
    codes = {verification_code(SECRET, f"ADV-2023-{n:04d}") for n in range(1, 101)}
    assert len(codes) == 100
    other = verification_code("another-secret-of-enough-length-1234", "ADV-2023-0001")
    assert other != verification_code(SECRET, "ADV-2023-0001")
    assert not is_valid_code(SECRET, "ADV-2023-0001", other)


def test_a_code_typed_from_paper_in_lower_case_or_with_spaces_still_verifies():
    code = verification_code(SECRET, "APT-2023-0017")
    assert is_valid_code(SECRET, "APT-2023-0017", f"  {code.lower()} ")


def test_wrong_empty_truncated_or_non_ascii_codes_are_refused():
    code = verification_code(SECRET, "ADV-2023-0001")
    for wrong in ("", code[:-1], code + "A", "证书" * 8, "A" * CODE_LENGTH):
        assert not is_valid_code(SECRET, "ADV-2023-0001", wrong)


def test_the_secret_comes_from_the_configuration():
    settings = load_settings(environ={"GRAVITY_VERIFICATION_SECRET": SECRET})
    assert settings.verification_secret == SECRET
