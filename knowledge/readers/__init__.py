"""Readers that turn the bureau's published files into documents and cell grids."""
