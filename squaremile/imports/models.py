"""The pipeline keeps no rows of its own: an import's file, choices, progress and report live in a
`core.Job`, and each record keeps its own external key (e.g. `Entry.external_id`)."""
