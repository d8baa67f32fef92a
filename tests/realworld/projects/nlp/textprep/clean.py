"""Normalise ticket text: Unicode-aware word boundaries (the `regex` module), lower case, no URLs."""

import regex

URL = regex.compile(r"https?://\S+")
NOT_WORD = regex.compile(r"[^\p{L}\p{N}\s']+")


def clean(text: str) -> str:
    return " ".join(NOT_WORD.sub(" ", URL.sub(" ", text.lower())).split())
