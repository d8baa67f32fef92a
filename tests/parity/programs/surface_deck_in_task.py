"""Decks: a task builds HTML pages with `Deck(name, html)`; `append` extends one."""

from flytekit import Deck, task


@task(enable_deck=True)
def report(n: int) -> int:
    deck = Deck("summary", "<h1>numbers</h1>")
    deck.append(f"<p>{n}</p>")
    print(deck.name, deck.html.count("<p>"))
    return n


print(report(n=3))
