from allauth.account.adapter import DefaultAccountAdapter
from django.core.validators import validate_email

from squaremile.accounts.services import profile_for
from squaremile.core.text import clean_text


class AccountAdapter(DefaultAccountAdapter):
    """Every new account gets its profile at once, so every page can rely on it.

    allauth's forms are not the project's, so their one stored text, the e-mail address (sign-up,
    add or change an address, password reset), is cleaned here by the same rule as every other
    form (`core.text.clean_text`) and checked again. Passwords are never touched."""

    def clean_email(self, email):
        email = clean_text(email or "", multiline=False).strip()
        validate_email(email)
        return super().clean_email(email)

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            profile_for(user)
        return user
