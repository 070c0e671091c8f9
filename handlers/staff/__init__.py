"""The staff workspace under /staff/."""
