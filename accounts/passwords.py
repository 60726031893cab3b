"""Password hashing (Argon2id) and the password rules."""

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import gettext as _
from flask_babel import lazy_ngettext, ngettext

MIN_LENGTH = 8
MAX_LENGTH = 128

# OWASP's minimum for Argon2id: 19 MiB of memory, 2 iterations, 1 lane.
hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)

# Verified when no account matches, so a wrong name takes as long as a wrong password.
_DUMMY_HASH = hasher.hash("lantern-no-such-account")


@cache
def common_passwords() -> frozenset[str]:
    """The 30,000 most common passwords, from zxcvbn's frequency lists."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


# Shown beside every new-password field.
PASSWORD_HINT = lazy_ngettext(
    "At least %(num)d character. A few unrelated words are easy to remember and hard to guess.",
    "At least %(num)d characters. A few unrelated words are easy to remember and hard to guess.",
    MIN_LENGTH,
)


def password_problem(password: str) -> str | None:
    """Why this password may not be used, in the user's language, or None."""
    if len(password) < MIN_LENGTH:
        return ngettext(
            "Use at least %(num)d character.", "Use at least %(num)d characters.", MIN_LENGTH
        )
    if len(password) > MAX_LENGTH:
        return ngettext(
            "Use at most %(num)d character.", "Use at most %(num)d characters.", MAX_LENGTH
        )
    if password.lower() in common_passwords():
        return _("This password is too common. Choose one that is harder to guess.")
    return None


def hash_password(password: str) -> str:
    """Hash a password for storage."""
    return hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when the password matches; spends the same time when there is no usable hash
    (no such account, or one still waiting for its first password)."""
    usable = stored_hash if stored_hash and stored_hash.startswith("$argon2") else None
    try:
        return hasher.verify(usable or _DUMMY_HASH, password) and usable is not None
    except (VerificationError, InvalidHashError):
        return False
