"""underlag: document analysis and retrieval for Swedish regional development reports."""

__version__ = "0.1.0"
