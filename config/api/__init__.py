"""API plumbing shared by the apps' `/v1/` endpoints: errors, strict query parameters, pagination,
the organization-scoped base viewset, JSON rendering and parsing, and the OpenAPI schema pieces."""
