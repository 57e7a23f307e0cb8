"""Events online and offline, open space, session reports and proceedings: the data and its invariants."""
