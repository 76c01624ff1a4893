"""The HTTP API: one FastAPI app for search, tutor, paths, authoring and reports."""
