"""Contract tests: the bus engines, the outbox and inbox, migrations and races, on every engine."""

import pytest

# Before anything imports it: the support module's assertions then explain a failure the way a
# test's own do.
pytest.register_assert_rewrite("tests.contract.support")
