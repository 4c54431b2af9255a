from jobs.api import urls as job_urls

from . import routes

# One flat list, so resolving a request tries one resolver fewer per level. The job routes come
# first: "invoices/recalculate" must not be taken for an invoice id.
urlpatterns = [*job_urls.urlpatterns, *routes.urlpatterns]
