"""When ``gravity up`` restarts a dead process, and when it gives up."""

from __future__ import annotations

from gravity.restarts import RestartBook, RestartPolicy


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_dead_process_is_restarted_after_a_pause_that_doubles_with_each_failure() -> None:
    book = RestartBook(RestartPolicy(max_restarts=5, first_backoff=1, longest_backoff=4))
    assert [book.failed("recruitment") for _ in range(4)] == [1, 2, 4, 4]


def test_gives_up_on_a_process_that_fails_more_often_than_the_window_allows() -> None:
    clock = FakeClock()
    book = RestartBook(RestartPolicy(max_restarts=2, window_seconds=60), clock)
    assert book.failed("placement") is not None
    assert book.failed("placement") is not None
    assert book.failed("placement") is None
    assert book.failures("placement") == 3


def test_failures_outside_the_window_are_forgotten() -> None:
    clock = FakeClock()
    book = RestartBook(RestartPolicy(max_restarts=1, window_seconds=60, first_backoff=1), clock)
    assert book.failed("gateway") == 1
    clock.now += 61
    assert book.failed("gateway") == 1  # a fresh series, not a second failure


def test_each_process_has_its_own_book() -> None:
    book = RestartBook(RestartPolicy(max_restarts=1))
    assert book.failed("gateway") is not None
    assert book.failed("eventlog") is not None


def test_the_policy_comes_from_the_supervision_settings() -> None:
    policy = RestartPolicy.from_settings({"max_restarts": "3", "window_seconds": 120})
    assert (policy.max_restarts, policy.window_seconds, policy.first_backoff) == (3, 120.0, 1.0)
