"""Services of the job pipeline. The recalculation entry point is invoicing.services.recalculation."""
