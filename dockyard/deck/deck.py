"""flytekit's `flytekit.deck.deck`."""

from dockyard.sdk.deck import DECK_FILE_NAME, Deck, DeckField

__all__ = ["DECK_FILE_NAME", "Deck", "DeckField"]
