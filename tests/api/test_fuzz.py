"""schemathesis against the OpenAPI spec, in-process (ASGI): no request the spec allows may cause a server error.

Examples are bounded per operation so that the whole run stays well under a minute on a shared machine.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from tests.api.api_client import API_KEY
from tradelex.api import ApiSettings, create_app

WORK = Path(tempfile.mkdtemp(prefix="tradelex-fuzz-"))
app = create_app(ApiSettings(api_key=API_KEY, work_dir=WORK, max_upload_bytes=100_000,
                             licence_db=f"sqlite:///{WORK / 'licences.sqlite'}"))  # fmt: skip
# The analysis runs (an average, a scenario) price every schedule line for seconds each: fuzzing them would take
# many minutes. test_analysis.py tests them; every other operation is fuzzed.
HEAVY = r"^/api/v1/(average|scenarios/compare|scenarios/\{name\}/run)$"
schema = schemathesis.openapi.from_asgi("/openapi.json", app).exclude(path_regex=HEAVY)


@schema.parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_request_causes_a_server_error(case: schemathesis.Case) -> None:
    case.call_and_validate(headers={"X-API-Key": API_KEY}, checks=[not_a_server_error])
