"""Wants and offers between neighbours, matched: the data and its invariants."""
