r"""Word counts that understand any script (the `regex` module's \p{L})."""

import regex

WORD = regex.compile(r"\p{L}+")


def words(text: str) -> list[str]:
    return WORD.findall(text.lower())
