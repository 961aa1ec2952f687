import re

from contracts import keys


def test_a_key_is_readable_and_carries_160_random_bits():
    key = keys.key_generate()
    assert re.fullmatch(r"SEAT(-[0-9A-HJKMNP-TV-Z]{4}){9}", key)
    assert keys.RANDOM_BYTES * 8 >= 128
    assert len({keys.key_generate() for _ in range(200)}) == 200


def test_normalize_accepts_what_people_type():
    key = keys.key_generate()
    normalized = keys.key_normalize(key)
    assert normalized is not None
    messy = "  " + key.lower().replace("-", " ") + "\n"
    assert keys.key_normalize(messy) == normalized
    # Without the prefix, and with O typed for 0.
    assert keys.key_normalize(key.removeprefix("SEAT-").replace("0", "O")) == normalized


def test_the_checksum_catches_a_mistyped_character():
    key = keys.key_generate()
    index = 10 if key[10] != "-" else 11
    replacement = "A" if key[index] != "A" else "B"
    typo = key[:index] + replacement + key[index + 1 :]
    assert keys.key_normalize(typo) is None


def test_garbage_is_not_a_key():
    for text in ["", "SEAT-", "x" * 1000, "SEAT-" + "U" * 36, "🔑" * 40]:
        assert keys.key_normalize(text) is None


def test_digest_and_hint_do_not_reveal_the_key():
    normalized = keys.key_normalize(keys.key_generate())
    digest = keys.key_digest(normalized)
    assert len(digest) == 64
    assert normalized not in digest
    assert keys.key_hint(normalized) == normalized[-4:]
