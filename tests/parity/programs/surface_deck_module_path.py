"""`flytekit.deck` exposes Deck and the renderers users put in decks."""

from flytekit.deck import Deck, MarkdownRenderer, SourceCodeRenderer, TopFrameRenderer
from flytekit.deck.renderer import MarkdownRenderer as Same

print(MarkdownRenderer is Same, callable(SourceCodeRenderer().to_html), callable(TopFrameRenderer(5).to_html))
print(Deck.__name__)
