from django.contrib import admin
from django.urls import include, path

from jobs.rq_dashboard import rq_dashboard_urls

# The API first: its requests are the most frequent, and Django tries the patterns in order.
urlpatterns = [
    path("v1/", include("invoicing.api.urls")),
    path("admin/rq/", include(rq_dashboard_urls())),
    path("admin/", admin.site.urls),
]
