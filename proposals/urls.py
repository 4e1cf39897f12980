from django.urls import path

from . import views

app_name = "proposals"

urlpatterns = [
    path("sessions/<slug:slug>/proposals/new/", views.proposal_create, name="create"),
    path(
        "sessions/<slug:slug>/recommendations/",
        views.RecommendationsView.as_view(),
        name="recommendations",
    ),
    path("proposals/", views.ProposalListView.as_view(), name="list"),
    path("proposals/<int:pk>/", views.ProposalDetailView.as_view(), name="detail"),
    path("proposals/<int:pk>/edit/", views.proposal_edit, name="edit"),
    path("proposals/<int:pk>/submit/", views.proposal_submit, name="submit"),
    path("proposals/<int:pk>/withdraw/", views.proposal_withdraw, name="withdraw"),
]
