"""What the methods app registers with the shared machinery: attachments (printable sheets on a
method, photos on a "we used this" report), readable audit labels, the import. From `ready()`."""

from squaremile.attachments import registry as attachments
from squaremile.audit import registry as audit
from squaremile.methods import importers  # noqa: F401  (registers the importer)
from squaremile.methods.models import Method, UsageReport

attachments.register(Method, action="method.change", kinds=("image", "file"), max_count=10)
attachments.register(UsageReport, action="usagereport.delete", kinds=("image",), max_count=4)

for key, label in (
    ("method.created", "Proposed"),
    ("method.changed", "Changed"),
    ("method.edit_proposed", "Edit proposed"),
    ("method.used", "Used by a group"),
    ("method.report_deleted", "Use report removed"),
    ("method.imported", "Imported"),
    ("game.created", "Game opened"),
    ("game.tally_entered", "Paper tally typed in"),
    ("game.gaps_recorded", "Gaps recorded"),
    ("deck.saved", "Deck saved"),
    ("collection.created", "Collection made"),
    ("collection.changed", "Collection changed"),
):
    audit.register(key, label)
