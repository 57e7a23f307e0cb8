from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "squaremile.accounts"
    label = "accounts"
