"""Decks in a task without enable_deck: building them works, nothing is published."""

from flytekit import Deck, task


@task
def quiet() -> str:
    deck = Deck("notes", "<p>a</p>")
    Deck.publish()
    return deck.name


print(quiet())
