import logging

from allauth.account.adapter import DefaultAccountAdapter
from django.core.validators import validate_email
from django.urls import reverse
from django.utils.html import format_html

from squaremile.accounts.services import profile_for
from squaremile.core import ratelimit
from squaremile.core.ratelimit import client_ip
from squaremile.core.site import current_site, on_site
from squaremile.core.text import clean_text

log = logging.getLogger(__name__)


class AccountAdapter(DefaultAccountAdapter):
    """Every new account gets its profile at once, so every page can rely on it.

    allauth's forms are not the project's, so their one stored text, the e-mail address (sign-up,
    add or change an address, password reset), is cleaned here by the same rule as every other
    form (`core.text.clean_text`) and checked again. Passwords are never touched.

    Failed log-ins are counted per visitor address and per address + account (never per account
    alone, which would let anyone lock the owner out by typing wrong passwords for their e-mail), in
    the shared cache; the message a slowed visitor sees offers a way in by e-mail instead."""

    def __init__(self, request=None):
        super().__init__(request)
        self.error_messages = {
            **self.error_messages,
            "too_many_login_attempts": format_html(
                "Too many failed attempts to sign in from here. Please wait a few minutes and try again, or "
                '<a href="{}">sign in with a code sent to your e-mail</a>, or <a href="{}">reset your password</a>.',
                reverse("account_request_login_code"),
                reverse("account_reset_password"),
            ),
        }

    def clean_email(self, email):
        email = clean_text(email or "", multiline=False).strip()
        validate_email(email)
        return super().clean_email(email)

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            profile_for(user)
        return user

    def send_mail(self, template_prefix, email, context):
        # At most so many account mails to one address, whoever asks ("account-mail" rate); the visitor
        # is not told (allauth answers the same whether or not an account exists).
        try:
            ratelimit.hit("account-mail", email=email)
        except ratelimit.RateLimited:
            log.warning("Account mail %s not sent: too many to this address lately.", template_prefix)
            return
        # The site's name and address in allauth's mails come from SITE_NAME / SITE_URL (else the request).
        from allauth.core import context as allauth_context

        super().send_mail(template_prefix, email, {"current_site": current_site(allauth_context.request), **context})

    def get_reset_password_from_key_url(self, key):
        return on_site(super().get_reset_password_from_key_url(key))

    def get_email_confirmation_url(self, request, emailconfirmation):
        return on_site(super().get_email_confirmation_url(request, emailconfirmation))

    def _get_login_attempts_cache_key(self, request, **credentials):
        # allauth's "key" for the login_failed limit: the account, here joined to the visitor's address.
        return f"{client_ip(request)}:{super()._get_login_attempts_cache_key(request, **credentials)}"
