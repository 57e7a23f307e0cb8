from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "squaremile.accounts"
    label = "accounts"

    def ready(self):
        from squaremile.accounts import records

        records.register()  # people as cards and link targets (core/records.py)
        from squaremile.accounts.services import api_token_user
        from squaremile.core.api import register_token_lookup

        # the API's token auth (core/api.py) finds people through the tokens kept here
        register_token_lookup(api_token_user)
