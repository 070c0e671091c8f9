"""Fake third-party services that tests run on loopback instead of the real ones."""
