"""Changing the map side of a survey: deciding weaving suggestions and importing ties (`services`),
and the tie importer on the shared pipeline (`importers`)."""
