"""`@task(enable_deck=True)`: each task's decks land in one HTML file the user can open."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from dockyard import Deck, current_context, task


@task(enable_deck=True)
def reported(n: int) -> str:
    Deck("summary", "<h1>numbers</h1>").append(f"<p>{n}</p>")
    current_context().default_deck.append("<i>default</i>")
    return str(Path(current_context().working_directory) / "deck.html")


@task
def unreported() -> str:
    Deck("summary", "<h1>hidden</h1>")
    return current_context().working_directory


def test_deck_file_holds_every_deck_and_its_path_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="dockyard"):
        path = Path(reported(n=7))
    page = path.read_text()
    assert page.startswith("<!DOCTYPE html>")
    assert re.search(r"<h2>summary</h2>.*<h1>numbers</h1>\n<p>7</p>", page, re.S)
    assert "<h2>default</h2>" in page and "<i>default</i>" in page
    assert f"file://{path}" in caplog.text


def test_no_deck_file_without_enable_deck() -> None:
    assert not (Path(unreported()) / "deck.html").exists()
