from django.urls import path
from django.views.generic import TemplateView

from . import account_views, agenda_views, views

app_name = "proposals"

urlpatterns = [
    path("sessions/<slug:slug>/proposals/new/", views.proposal_create, name="create"),
    path(
        "sessions/<slug:slug>/recommendations/",
        views.RecommendationsView.as_view(),
        name="recommendations",
    ),
    path("sessions/<slug:slug>/star/", agenda_views.agenda_add, name="agenda_add"),
    path("sessions/<slug:slug>/unstar/", agenda_views.agenda_remove, name="agenda_remove"),
    path("agenda/", agenda_views.agenda, name="agenda"),
    path("agenda/new-address/", agenda_views.agenda_new_address, name="agenda_new_address"),
    path(
        "agenda/<slug:token>/calendar.ics",
        agenda_views.agenda_calendar,
        name="agenda_calendar",
    ),
    path("proposals/", views.ProposalListView.as_view(), name="list"),
    path("proposals/<int:pk>/", views.ProposalDetailView.as_view(), name="detail"),
    path("proposals/<int:pk>/edit/", views.proposal_edit, name="edit"),
    path("proposals/<int:pk>/submit/", views.proposal_submit, name="submit"),
    path("proposals/<int:pk>/withdraw/", views.proposal_withdraw, name="withdraw"),
]

# Accounts, under /accounts/ beside django.contrib.auth's pages and named as they are (no
# namespace: `login`, `signup`, `profile`), so forum_portal/urls.py includes them without app_name.
# Ours come first and replace Django's login and password-reset views of the same path.
account_urlpatterns = [
    path("signup/", account_views.SignupView.as_view(), name="signup"),
    path(
        "signup/done/",
        TemplateView.as_view(template_name="registration/signup_done.html"),
        name="signup_done",
    ),
    path(
        "confirm/<uidb64>/<token>/",
        account_views.SignupConfirmView.as_view(),
        name="signup_confirm",
    ),
    path("profile/", account_views.ProfileView.as_view(), name="profile"),
    path("login/", account_views.LoginView.as_view(), name="login"),
    path(
        "password_change/",
        account_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path("password_reset/", account_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "reset/<uidb64>/<token>/",
        account_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
]
