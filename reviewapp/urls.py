from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from django.views.i18n import set_language

from grading import urls as grading_urls
from reviewapp import privacy_views, views
from reviewapp.accounts import urls as account_urls
from reviewapp.api import views as api_views
from screening import urls as screening_urls
from screening.views import topic_area

project_patterns = [
    path("", views.project_dashboard, name="project_dashboard"),
    path("edit/", views.project_edit, name="project_edit"),
    path("delete/", views.project_delete, name="project_delete"),
    path("members/", views.members, name="members"),
    path("members/add/", views.member_add, name="member_add"),
    path("members/create/", views.member_create, name="member_create"),
    path("members/invite/", views.invitation_create, name="invitation_create"),
    path(
        "members/invitations/<int:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("members/<int:membership_id>/role/", views.member_role, name="member_role"),
    path("members/<int:membership_id>/remove/", views.member_remove, name="member_remove"),
    path("activity/", views.activity, name="activity"),
    path("bin/", views.project_bin, name="project_bin"),
    path("bin/<str:label>/<int:pk>/restore/", views.bin_item_restore, name="bin_restore"),
    path("topics/new/", views.topic_area_create, name="topic_area_create"),
    path("topics/<slug:topic_key>/", topic_area.topic_area_detail, name="topic_area_detail"),
    path("topics/<slug:topic_key>/edit/", views.topic_area_edit, name="topic_area_edit"),
    path("topics/<slug:topic_key>/delete/", views.topic_area_delete, name="topic_area_delete"),
    path("topics/<slug:topic_key>/", include(screening_urls.topic_patterns)),
    path("topics/<slug:topic_key>/", include(grading_urls.topic_patterns)),
    path("", include(grading_urls.project_patterns)),
]

urlpatterns = [
    path("", views.project_list, name="project_list"),
    path("projects/new/", views.project_create, name="project_create"),
    path("projects/<slug:slug>/restore/", views.project_restore, name="project_restore"),
    path("projects/<slug:slug>/", include(project_patterns)),
    path("healthz", views.healthz, name="healthz"),
    # The API: the base app's machinery and resources, each app's resources, and last a
    # 404 in the API's error shape for any other /api/ path.
    path("api/", include("reviewapp.api.urls")),
    path("api/", include("screening.api.urls")),
    path("api/", include("grading.api.urls")),
    re_path(
        r"^api/(?P<path>[\s\S]*)$", login_not_required(api_views.not_found), name="api-not-found"
    ),
    path("profile/my-data.json", privacy_views.own_data, name="own_data"),
    path("profile/", include("reviewapp.api.profile_urls")),
    path("staff/erase/", privacy_views.erase_person, name="erase_person"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include(account_urls.account_patterns)),
    path("invitations/", include(account_urls.invitation_patterns)),
    # The installation admin (is_staff). It logs in through the site's own login page, so that
    # django-axes and two-factor login hold there too.
    path(
        "admin/login/",
        login_not_required(RedirectView.as_view(pattern_name="login", query_string=True)),
    ),
    path("admin/", admin.site.urls),
    # The language switcher works before login too (it is on the login page).
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
]
