"""The versioned API object: /api/v1, its OpenAPI 3.1 document and interactive docs."""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI

from sladesk.api import problems
from sladesk.api.auth import BrowserSession, TokenAuth
from sladesk.api.routers import (
    billing,
    complaints,
    directory,
    queue,
    sla,
    tickets,
    tokens,
    webhooks,
)
from sladesk.api.routers.common import COMMON_ERRORS
from sladesk.api.schemas import Problem

DESCRIPTION = """\
The sladesk helpdesk API. Every call runs the same actions as the pages: the same rules,
permissions and audit trail. Authenticate with a personal API token
(`Authorization: Bearer sld_...`, created with `sladesk token create`) or, from the pages,
the browser session (CSRF token required on writes). Errors are RFC 9457 problem details.
See docs/api.md.
"""


class SladeskAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(**kwargs)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        problem_schema = Problem.model_json_schema(
            ref_template="#/components/schemas/{model}", by_alias=True
        )
        components.update(problem_schema.pop("$defs", {}))
        components["Problem"] = problem_schema
        ref = {"$ref": "#/components/schemas/Problem"}
        for path in schema.get("paths", {}).values():
            for operation in path.values():
                answers = operation.get("responses", {})
                if not operation.get("security"):
                    continue
                for code in COMMON_ERRORS:
                    answers.setdefault(code, {"description": "A problem detail"})
                answers.setdefault(429, {"description": "Too many requests"})["headers"] = {
                    "Retry-After": {
                        "description": "Seconds to wait before the next call",
                        "schema": {"type": "integer"},
                    }
                }
                # Errors are problem details, whatever ninja's default content type.
                for code, answer in answers.items():
                    if int(code) >= 400:
                        answer["content"] = {"application/problem+json": {"schema": ref}}
        return schema


api = SladeskAPI(
    title="sladesk API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    auth=[TokenAuth(), BrowserSession()],
)
problems.install(api)
api.add_router("", tickets.router)
api.add_router("", queue.router)
api.add_router("", sla.router)
api.add_router("", directory.router)
api.add_router("", webhooks.router)
api.add_router("", tokens.router)
api.add_router("", complaints.router)
api.add_router("", billing.router)
