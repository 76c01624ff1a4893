"""API keys: who is calling, with which role and for which department. Tokens are shown once and stored hashed."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from enum import StrEnum

from corpus.types import DEPARTMENTS, Viewer

TOKEN_PREFIX = "gp_"
DISPLAY_CHARS = 10  # of the token, kept in clear so people can tell their keys apart


class Role(StrEnum):
    """Ordered: each role may do everything the one before it may."""

    LEARNER = "learner"
    AUTHOR = "author"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return list(Role).index(self)

    def includes(self, other: Role) -> bool:
        return self.rank >= other.rank


class AccountError(Exception):
    """Base of the accounts errors."""


class KeyNotFoundError(AccountError, LookupError):
    def __init__(self, key_id: str) -> None:
        super().__init__(f"no API key with id {key_id!r}")
        self.key_id = key_id


@dataclass(frozen=True)
class ApiKey:
    """A stored key, without its token. ``owner`` names whose conversations and feedback it reads and writes."""

    id: str
    prefix: str
    role: Role
    department: str
    name: str | None
    learner_id: str | None
    created_at: str
    revoked_at: str | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    @property
    def owner(self) -> str:
        """A learner id is scoped by department, so an admin cannot claim another department's learner."""
        return f"{self.department}/{self.learner_id}" if self.learner_id else f"key/{self.id}"

    @property
    def viewer(self) -> Viewer:
        return Viewer(frozenset({self.department}))


@dataclass(frozen=True)
class IssuedKey:
    """A key just created: the only moment its token exists outside the caller's hands."""

    key: ApiKey
    token: str


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)  # 256 bits: a plain hash is enough, no slow KDF needed


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_key_id() -> str:
    return secrets.token_hex(6)


def check_department(department: str) -> str:
    if department not in DEPARTMENTS:
        raise ValueError(f"department: unknown department {department!r}; expected one of {', '.join(DEPARTMENTS)}")
    return department


def parse_role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise ValueError(f"role: expected one of {', '.join(Role)}, got {role!r}") from None
