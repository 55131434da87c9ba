"""Dashboard pages, one module per section. Each view validates, authorizes and calls a service."""
