"""How often one may try to sign in: token buckets per client address and per username (the
gateway process's own; each gateway process counts for itself), beside the lockout that the
account's failed sign-ins in a row cause (kept in the database, so every process sees it)."""

from __future__ import annotations

from typing import Any

from nameko.extensions import DependencyProvider

from gateway.accounts.rules import AccountsPolicy
from gateway.honors.verification import TokenBucket
from shared.config import CONFIG_KEY, Settings

BURST_MINUTES = 1.0  # a bucket holds one minute's worth of attempts


class SignInLimits:
    """The policy, and the two buckets every sign-in attempt draws from."""

    def __init__(self, policy: AccountsPolicy) -> None:
        self.policy = policy
        by_address = policy.sign_in_per_minute_per_address
        by_account = policy.sign_in_per_minute_per_account
        self.addresses = TokenBucket(max(1, int(by_address * BURST_MINUTES)), by_address)
        self.usernames = TokenBucket(max(1, int(by_account * BURST_MINUTES)), by_account)

    def wait(self, address: str, username: str) -> float:
        """0 if this attempt may go ahead, else the seconds until it may."""
        return max(self.addresses.take(address), self.usernames.take(username.lower()))


class SignInLimitsProvider(DependencyProvider):  # type: ignore[misc] # nameko is untyped
    """The container's sign-in limits (shared by its workers); a bad ``accounts:`` setting
    stops the container from starting."""

    def setup(self) -> None:
        settings: Settings = self.container.config[CONFIG_KEY]["settings"]
        self.limits = SignInLimits(AccountsPolicy.from_settings(settings))

    def get_dependency(self, worker_ctx: Any) -> SignInLimits:  # noqa: ARG002 - nameko API
        return self.limits
