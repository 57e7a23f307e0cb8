from allauth.account.adapter import DefaultAccountAdapter

from squaremile.accounts.services import profile_for


class AccountAdapter(DefaultAccountAdapter):
    """Every new account gets its profile at once, so every page can rely on it."""

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            profile_for(user)
        return user
