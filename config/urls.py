from django.contrib import admin
from django.urls import include, path

# The API first: its requests are the most frequent, and Django tries the patterns in order.
urlpatterns = [
    path("v1/", include("invoicing.api.urls")),
    path("admin/rq/", include("django_rq.urls")),
    path("admin/", admin.site.urls),
]
