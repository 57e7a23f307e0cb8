"""Files in and out of the map: the importer on the shared pipeline (`imports`), the exports
(GeoJSON, CSV, KML), the RSS/Atom feeds, and the export background tasks (`tasks`). No pages here:
those are in `views/io.py`."""
