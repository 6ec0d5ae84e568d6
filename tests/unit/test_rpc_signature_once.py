"""An entrypoint reads its method's signature once and still refuses a call that does not fit
it, with nameko's own IncorrectSignature (which crosses RPC to the caller)."""

from __future__ import annotations

import functools
from types import SimpleNamespace
from typing import Any

import pytest
from nameko.exceptions import IncorrectSignature

from shared.rpc import SignatureOnce


def show_student(self: object, call: object) -> None: ...


class RegistrationDesk:
    def register_student(self, context: object, arguments: object) -> None: ...

    @functools.wraps(show_student)  # as the gateway's ``api`` wraps an action
    def show(self, request: object, **_path: str) -> None: ...


def entrypoint(method: str = "register_student") -> SignatureOnce:
    checked = SignatureOnce()
    checked.container = SimpleNamespace(service_cls=RegistrationDesk)
    checked.method_name = method
    return checked


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [((), {}), (({},), {}), (({}, {}, {}), {}), (({}, {}), {"unknown": 1})],
)
def test_a_call_that_does_not_fit_the_method_is_refused(
    args: tuple[Any, ...], kwargs: dict[str, Any]
) -> None:
    with pytest.raises(IncorrectSignature):
        entrypoint().check_signature(args, kwargs)


def test_calls_that_fit_pass_again_and_again() -> None:
    checked = entrypoint()
    for _ in range(3):
        checked.check_signature(({}, {}), {})
    checked.check_signature(({},), {"arguments": {}})
    with pytest.raises(IncorrectSignature):
        checked.check_signature(({}, {}, {}), {})  # still checked after the first reads


def test_a_wrapped_method_is_checked_against_its_own_signature_not_the_wrapped_one() -> None:
    checked = entrypoint("show")
    checked.check_signature(({},), {"student_id": "s-1"})
    with pytest.raises(IncorrectSignature):
        checked.check_signature((), {})
