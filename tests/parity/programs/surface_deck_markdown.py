"""A deck built from rendered markdown and source code."""

from flytekit import Deck, task
from flytekit.deck import MarkdownRenderer, SourceCodeRenderer


@task(enable_deck=True)
def documented() -> int:
    Deck("readme", MarkdownRenderer().to_html("# Title"))
    Deck("code", SourceCodeRenderer().to_html("x = 1"))
    return 2


print(documented())
