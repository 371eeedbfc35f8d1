"""HTTP side: JSON API (OpenAPI), widget panel and demo pages, health checks."""
