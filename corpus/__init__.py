"""The domain's documents: types, loaders, validation, chunking, the store, index build and hybrid search."""
