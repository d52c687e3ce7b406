"""The REST API (/api/v1): django-ninja adapters over the same actions and selectors as the
pages, personal API tokens, problem-details errors and per-token rate limiting."""
