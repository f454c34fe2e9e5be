"""The API routes of issue 15, each module registering on the API blueprint (web.api imports
this module once its own routes are in place): organisations, people and tokens, the year,
the council, and the HTTP conventions (ETag, If-Match, Idempotency-Key)."""

from web import api_council, api_http, api_org, api_people, api_year

__all__ = ["api_council", "api_http", "api_org", "api_people", "api_year"]
