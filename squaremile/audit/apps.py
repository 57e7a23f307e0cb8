from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "squaremile.audit"
    label = "audit"
    verbose_name = "Audit log"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from squaremile.accounts.services import role_changed

        role_changed.connect(_record_role_change, dispatch_uid="audit.role_changed")


def _record_role_change(sender, *, user, old, new, by, **kwargs):
    from squaremile.audit.services import record

    if old == new:
        return

    record(actor=by, action="role.changed", target=user, changes={"role": [old, new]})
