from django.urls import path

from squaremile.accounts import views

app_name = "accounts"
urlpatterns = [
    path("me/", views.profile_edit, name="profile_edit"),
    path("me/tokens/", views.tokens, name="tokens"),
    path("me/tokens/<int:token_id>/delete/", views.token_delete, name="token_delete"),
    path("me/data.json", views.data_export, name="data_export"),
    path("me/delete/", views.account_delete, name="account_delete"),
    path("<int:user_id>/", views.person, name="person"),
]
