"""SCIM bearer tokens: `scim_` and 43 URL-safe characters (256 random
bits). Only the SHA-256 digest is stored, as for connection keys
(contracts/keys.py); the prefix shown on the page is not secret."""

import hashlib
import secrets

PREFIX = "scim_"
PREFIX_SHOWN = 10


def token_generate() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_prefix(token: str) -> str:
    return token[:PREFIX_SHOWN]
