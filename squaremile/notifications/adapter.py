"""allauth's mails (verify an address, log-in codes, password reset) go through the one e-mail path.

This app sits above ``accounts``, so the account adapter is extended here (settings.ACCOUNT_ADAPTER
names this class): allauth renders its own templates, and the rendered message is handed to
``notifications.email.deliver`` at once — a log-in code must not wait for the worker."""

from squaremile.accounts.adapter import AccountAdapter as BaseAccountAdapter
from squaremile.notifications.email import send_message


class _ThroughOnePath:
    def __init__(self, message):
        self.message = message

    def send(self, fail_silently=False):
        m = self.message
        html = next((body for body, kind in getattr(m, "alternatives", []) if kind == "text/html"), "")
        text = m.body
        if getattr(m, "content_subtype", "plain") == "html":
            text, html = "", m.body
        send_message(
            {"to": list(m.to), "subject": m.subject, "text": text, "html": html, "headers": dict(m.extra_headers)},
            immediate=True,
        )
        return 1


class AccountAdapter(BaseAccountAdapter):
    def render_mail(self, template_prefix, email, context, headers=None):
        return _ThroughOnePath(super().render_mail(template_prefix, email, context, headers=headers))
