"""Files go with their rows: when an attachment row is deleted (by itself, or with its owner
through the owner's GenericRelation), its file and thumbnail are removed from storage once the
transaction has committed (a rollback keeps both)."""

import logging

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from squaremile.attachments.models import Attachment

logger = logging.getLogger(__name__)


def delete_files_on_commit(files) -> None:
    """Delete [(storage, name), ...] once the current transaction commits (at once outside one)."""
    files = [(storage, name) for storage, name in files if name]

    def delete():
        for storage, name in files:
            try:
                storage.delete(name)
            except Exception:  # a file that cannot be removed now is left for sweep_media
                logger.warning("Could not delete the attachment file %s", name, exc_info=True)

    if files:
        transaction.on_commit(delete)


@receiver(post_delete, sender=Attachment, dispatch_uid="attachments.delete_files")
def _delete_files(sender, instance: Attachment, **kwargs):
    delete_files_on_commit([(f.storage, f.name) for f in (instance.file, instance.thumbnail) if f])
