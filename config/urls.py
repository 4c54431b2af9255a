from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.permissions import AllowAny

from config.api import schema  # noqa: F401  (registers the OpenAPI extensions)
from config.views import ApiRootView, home
from jobs.rq_dashboard import rq_dashboard_urls

# The schema and its docs are public: no API key needed to read them.
_public = {"authentication_classes": [], "permission_classes": [AllowAny]}

api_urlpatterns: list[URLPattern | URLResolver] = [
    path("", ApiRootView.as_view(), name="api-root"),
    path("schema/", SpectacularAPIView.as_view(**_public), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema", **_public), name="docs"),
    path("", include("invoicing.api.urls")),
    path("", include("jobs.api.urls")),
]

urlpatterns = [
    path("v1/", include(api_urlpatterns)),
    path("admin/rq/", include(rq_dashboard_urls())),
    path("admin/", admin.site.urls),
    path("", home, name="home"),
]
