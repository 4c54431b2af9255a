from django.urls import include, path

# jobs.api.urls (recalculate, processing jobs) comes first: "invoices/recalculate" must not be
# taken for an invoice id.
urlpatterns = [
    path("", include("jobs.api.urls")),
    path("", include("invoicing.api.routes")),
]
