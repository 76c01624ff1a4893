"""Role-based learning paths, peer signals and authoring help, built on the shared retriever."""
