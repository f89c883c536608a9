"""Responses in the person's language, from translations/<language>.yml."""
