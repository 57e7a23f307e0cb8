"""The method library and the skills game: the data and its invariants."""
