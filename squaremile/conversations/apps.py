from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "squaremile.conversations"
    label = "conversations"
    verbose_name = "Conversations"
