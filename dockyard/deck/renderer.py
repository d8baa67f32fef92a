"""flytekit's `flytekit.deck.renderer`."""

from dockyard.sdk.deck import MarkdownRenderer, SourceCodeRenderer, TopFrameRenderer

__all__ = ["MarkdownRenderer", "SourceCodeRenderer", "TopFrameRenderer"]
