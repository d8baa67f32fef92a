"""flytekit's `flytekit.deck`, implemented in `dockyard.sdk.deck`."""

from dockyard.sdk.deck import Deck, DeckField, MarkdownRenderer, SourceCodeRenderer, TopFrameRenderer

__all__ = ["Deck", "DeckField", "MarkdownRenderer", "SourceCodeRenderer", "TopFrameRenderer"]
