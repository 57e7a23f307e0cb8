"""What leaves the survey: `published` (the consent filter: what the map shows, to whom) and
`exports` (SVG, and the published CSV/GEXF/GraphML, built only from the filtered payload)."""
