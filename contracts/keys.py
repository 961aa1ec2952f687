"""Connection keys: their format, checksum and digest.

A key reads `SEAT-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-CCCC`: 160 random
bits in Crockford's base32 (no I, L, O or U to misread), then a checksum of
four characters that catches a mistyped key before it is looked up. Only the
SHA-256 digest is stored; a key of this strength needs no slow hash.
"""

import hashlib
import secrets

PREFIX = "SEAT"
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RANDOM_BYTES = 20
BODY_LENGTH = 32
CHECK_LENGTH = 4
HINT_LENGTH = 4
GROUP = 4
# Crockford's readings of the characters that look alike.
_READS_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})


def key_generate() -> str:
    body = _base32(secrets.token_bytes(RANDOM_BYTES))
    chars = body + _checksum(body)
    groups = [chars[i : i + GROUP] for i in range(0, len(chars), GROUP)]
    return "-".join([PREFIX, *groups])


def key_normalize(text: str) -> str | None:
    """The key's characters without prefix and dashes, or None when it cannot
    be a key (wrong length, characters or checksum)."""
    chars = "".join(ch for ch in text.upper() if ch.isalnum()).translate(_READS_AS)
    if chars.startswith(PREFIX):
        chars = chars[len(PREFIX) :]
    if len(chars) != BODY_LENGTH + CHECK_LENGTH or any(
        ch not in ALPHABET for ch in chars
    ):
        return None
    body, check = chars[:BODY_LENGTH], chars[BODY_LENGTH:]
    if not secrets.compare_digest(check, _checksum(body)):
        return None
    return chars


def key_digest(normalized: str) -> str:
    return hashlib.sha256(normalized.encode()).hexdigest()


def key_hint(normalized: str) -> str:
    return normalized[-HINT_LENGTH:]


def _base32(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    chars = []
    for _ in range(BODY_LENGTH):
        number, index = divmod(number, 32)
        chars.append(ALPHABET[index])
    return "".join(reversed(chars))


def _checksum(body: str) -> str:
    digest = hashlib.sha256(f"{PREFIX}:{body}".encode()).digest()
    return _base32(digest[:RANDOM_BYTES])[:CHECK_LENGTH]
