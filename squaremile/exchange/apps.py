from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "squaremile.exchange"
    label = "exchange"
    verbose_name = "Wants and offers"

    def ready(self):
        from squaremile.exchange import registrations

        registrations.register_all()
