"""Stories others tell: reading local sites' RSS/Atom feeds safely (`fetcher`: limits before any
parsing; `parsing`: entities refused, then feedparser) and turning their items into linked stories
(`poller`: conditional GET, back-off, identity by guid); `tasks`: the background task."""
