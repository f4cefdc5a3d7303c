"""Storage and search: the document store, the lexical and the dense index."""
