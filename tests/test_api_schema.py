"""schemathesis against the service's own OpenAPI schema: whatever the generated
request (valid or not), the answer is never a 5xx and matches the schema.

The app serves a private index of the sample corpus with the instant
HashingEmbedder; schemathesis starts its lifespan once and keeps it for the run.
"""

from __future__ import annotations

import tempfile

import schemathesis
from hypothesis import HealthCheck, settings

from api.app import create_app
from nlp.embed import HashingEmbedder
from underlag.settings import Settings

# schemathesis's ASGI client names the host "testserver"; the server answers only for its own names
app = create_app(Settings(data_dir=tempfile.mkdtemp(prefix="underlag-schema-"), allowed_hosts=["testserver"]),
                 HashingEmbedder())
schema = schemathesis.openapi.from_asgi("/openapi.json", app)


@schema.parametrize()
@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_request_makes_the_server_fail(case):
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

    case.call_and_validate(checks=[not_a_server_error, status_code_conformance, response_schema_conformance])
