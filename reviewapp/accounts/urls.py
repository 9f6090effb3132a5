from django.urls import path

from reviewapp.accounts import views

# Under /accounts/ (beside login and logout).
account_patterns = [
    path("password-reset/", views.password_reset, name="password_reset"),
    path("password-reset/sent/", views.password_reset_done, name="password_reset_done"),
    path("reset/<uidb64>/<token>/", views.password_reset_confirm, name="password_reset_confirm"),
    path("reset/done/", views.password_reset_complete, name="password_reset_complete"),
    path("password/", views.password_change, name="password_change"),
    path("password/done/", views.password_change_done, name="password_change_done"),
    path("two-factor/", views.two_factor_verify, name="two_factor_verify"),
    path("two-factor/setup/", views.two_factor_setup, name="two_factor_setup"),
    path("two-factor/off/", views.two_factor_disable, name="two_factor_disable"),
    path(
        "two-factor/recovery-codes/",
        views.recovery_codes_regenerate,
        name="recovery_codes_regenerate",
    ),
    path(
        "sessions/<int:user_session_id>/revoke/",
        views.user_session_revoke,
        name="user_session_revoke",
    ),
    path("preferences/", views.profile_preferences, name="profile_preferences"),
]

invitation_patterns = [
    path("<str:token>/", views.invitation_accept, name="invitation_accept"),
]
