"""Personal API tokens: their format and digest.

A token reads `seats_` followed by 43 characters of URL-safe base64 (256
random bits). Only the SHA-256 digest is stored, as for connection keys
(`contracts.keys.key_digest`): a secret of this strength needs no slow
hash, and a digest can be looked up by index."""

import secrets

from contracts.keys import key_digest

PREFIX = "seats_"
RANDOM_BYTES = 32
# What the account page shows of a token: its prefix and a few characters.
DISPLAY_LENGTH = len(PREFIX) + 6


def token_generate() -> str:
    return PREFIX + secrets.token_urlsafe(RANDOM_BYTES)


def token_digest(token: str) -> str:
    return key_digest(token)


def token_display(token: str) -> str:
    return token[:DISPLAY_LENGTH]
