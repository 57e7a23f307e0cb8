"""The skills game: cards and decks (`cards.py`), games, tables, players and sorting (`services.py`),
what the table and the organiser read (`selectors.py`), the results and their charts
(`results.py`), its forms and pages (`forms.py`, `views.py`)."""
