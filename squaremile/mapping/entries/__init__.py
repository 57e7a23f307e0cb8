"""Entries, from submission to publication: writes (`services`), reads (`selectors`), the forms, the
one filter parser (`filters`), the entries in the shared moderation machinery (`moderation`), what
the map tells people (`notifications`) and the moderation background tasks (`tasks`)."""
