from django.contrib.sitemaps.views import sitemap
from django.urls import path

from . import views
from .structured_data import SITEMAPS

app_name = "sessions"

urlpatterns = [
    path("", views.ProgrammeView.as_view(), name="programme"),
    path("calendar.ics", views.ProgrammeCalendarView.as_view(), name="calendar"),
    path("sessions/<slug:slug>/", views.SessionDetailView.as_view(), name="detail"),
    path(
        "sessions/<slug:slug>/calendar.ics",
        views.SessionCalendarView.as_view(),
        name="session_calendar",
    ),
    path(
        "sessions/<slug:slug>/materials/<int:pk>/",
        views.material_download,
        name="material",
    ),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", views.robots_txt, name="robots"),
    path("schedule.xml", views.ScheduleView.as_view(), {"format": "xml"}, name="schedule_xml"),
    path("schedule.json", views.ScheduleView.as_view(), {"format": "json"}, name="schedule_json"),
    path("speakers/", views.SpeakerListView.as_view(), name="speakers"),
    path("speakers/<slug:slug>/", views.SpeakerDetailView.as_view(), name="speaker"),
]
