"""Decks: HTML pages a task builds while it runs (`Deck(name, html)`), written to one file per task.

With `@task(enable_deck=True)` every deck the task creates or extends is (re)written at once to
`deck.html` in the task's working directory, so the page is complete even when the task fails later; its
path is logged (`<task> task creates flyte deck html to file://...`, as flytekit says).
"""

from __future__ import annotations

import enum
import html as html_lib
import logging
from pathlib import Path
from typing import Any

from dockyard.sdk.context import current_context

DECK_FILE_NAME = "deck.html"
logger = logging.getLogger("dockyard")


class DeckField(str, enum.Enum):
    """The decks flytekit can render for a task."""

    SOURCE_CODE = "Source Code"
    DEPENDENCIES = "Dependencies"
    TIMELINE = "Timeline"
    INPUT = "Input"
    OUTPUT = "Output"


class Deck:
    """A named HTML page of the running task; `append` adds to it."""

    def __init__(self, name: str, html: str | None = "", auto_add_to_deck: bool = True) -> None:
        self._name = name
        self._html = html or ""
        if auto_add_to_deck:
            current_context().decks.append(self)
            _write(current_context())

    def append(self, html: str) -> Deck:
        assert isinstance(html, str)
        self._html = self._html + "\n" + html
        _write(current_context())
        return self

    @property
    def name(self) -> str:
        return self._name

    @property
    def html(self) -> str:
        return self._html

    @staticmethod
    def publish() -> None:
        params = current_context()
        if not params.enable_deck:
            logger.warning(
                f"Attempted to call publish() in task '{params.task_id.name}', but Flyte decks will not be "
                "generated because enable_deck is currently set to False."
            )
            return
        _write(params, force=True)


def page(decks: list[Deck]) -> str:
    """One HTML page with a section per deck, in creation order."""
    sections = "\n".join(
        f'<section><h2>{html_lib.escape(d.name)}</h2>\n<div class="deck">{d.html}</div></section>'
        for d in decks
    )
    head = '<head><meta charset="utf-8"><title>decks</title></head>'
    return f"<!DOCTYPE html>\n<html>{head}\n<body>\n{sections}\n</body></html>\n"


def _write(params: Any, force: bool = False) -> None:
    if not (params.enable_deck or force) or not params.decks:
        return
    path = Path(params.working_directory) / DECK_FILE_NAME
    fresh = not path.exists()
    path.write_text(page(params.decks), encoding="utf-8")
    if fresh:
        logger.info(f"{params.task_name} task creates flyte deck html to file://{path}")


class MarkdownRenderer:
    """Markdown text to HTML (with the `markdown` package when installed, else as preformatted text)."""

    def to_html(self, text: str) -> str:
        try:
            import markdown
        except ImportError:
            return f"<pre>{html_lib.escape(text)}</pre>"
        return str(markdown.markdown(text))


class SourceCodeRenderer:
    """Source code as an escaped, preformatted block."""

    def __init__(self, title: str = "Source Code") -> None:
        self._title = title

    def to_html(self, source_code: str) -> str:
        return (
            f"<h3>{html_lib.escape(self._title)}</h3><pre><code>{html_lib.escape(source_code)}</code></pre>"
        )


class TopFrameRenderer:
    """The first `max_rows` rows of a pandas DataFrame as an HTML table."""

    def __init__(self, max_rows: int = 10, max_cols: int = 100) -> None:
        self._max_rows, self._max_cols = max_rows, max_cols

    def to_html(self, df: Any) -> str:
        return str(df.to_html(max_rows=self._max_rows, max_cols=self._max_cols))
