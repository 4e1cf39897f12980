from django.urls import path, re_path
from rest_framework.routers import DefaultRouter

from . import views

app_name = "api"


class Router(DefaultRouter):
    APIRootView = views.RootView


router = Router()
router.register("forums", views.ForumViewSet, basename="forum")
router.register("sessions", views.SessionViewSet, basename="session")
router.register("people", views.PersonViewSet, basename="person")

urlpatterns = [
    path("schema/", views.SchemaView.as_view(), name="schema"),
    path("docs/", views.DocsView.as_view(), name="docs"),
    *router.urls,
    re_path(r"", views.not_found),
]
