"""Residents' own stories of community action, and linked stories from local feeds: the data and its invariants."""
