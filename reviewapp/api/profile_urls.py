from django.urls import path

from reviewapp.api import profile

urlpatterns = [
    path("", profile.profile, name="profile"),
    path("tokens/", profile.token_create, name="api_token_create"),
    path("tokens/<int:token_id>/revoke/", profile.token_revoke, name="api_token_revoke"),
]
