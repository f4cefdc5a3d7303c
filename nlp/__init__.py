"""Swedish NLP: tokenisation, lemmas, compounds, embeddings and tagging."""
