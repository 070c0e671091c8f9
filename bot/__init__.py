"""Understand a resident's message and compose the answer (plain synchronous code)."""
