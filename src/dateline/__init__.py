"""dateline: from a pile of scraped news articles to clean, dated, sourced timelines."""

from .corpus import Corpus, Timeline, open, parse
from .models import Article, Reject

__all__ = ["Article", "Corpus", "Reject", "Timeline", "open", "parse"]
__version__ = "0.1.0"
