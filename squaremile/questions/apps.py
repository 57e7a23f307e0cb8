from django.apps import AppConfig


class QuestionsConfig(AppConfig):
    name = "squaremile.questions"
    label = "questions"
    verbose_name = "Custom questions"
