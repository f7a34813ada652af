"""The story index: remember every article checked, and check each new one against all of them.

``StoryIndex.open(dir, embedder, create=True).add(documents)`` stores articles' claims with their
embeddings (LanceDB, ``pip install 'factcheck[index]'``); ``StoryIndex.check(documents, nli)``
returns the ``factcheck.report/1`` report of the new articles against the stored ones.
"""

from factcheck.index.core import AddResult, IndexCheck, StoryIndex, time_notes
from factcheck.index.store import FORMAT, IndexError_, IndexPin, StoredArticle, StoryStore

__all__ = ["FORMAT", "AddResult", "IndexCheck", "IndexError_", "IndexPin", "StoredArticle", "StoryIndex", "StoryStore",
           "time_notes"]
