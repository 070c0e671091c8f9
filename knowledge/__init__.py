"""The published material: catalog, store, importers and the search index (sync code)."""
