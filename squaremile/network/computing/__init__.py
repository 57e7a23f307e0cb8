"""From a round's stored data to its stored analysis: `graphdata` (the round as the engine's input),
`runner` (compute and store), `tasks` (when to recompute: now, or queued for the worker). The engine
itself is `analysis/` (pure, no database)."""
