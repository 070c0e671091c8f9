"""The published material: catalog, store, importers and the search index (plain synchronous code)."""
