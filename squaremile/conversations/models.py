"""Groups, threads, decisions and outcomes, private conversations, by web and by e-mail: the data and its invariants."""
