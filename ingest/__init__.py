"""Ingestion: read PDF, Word and text reports into repaired, structured documents."""
