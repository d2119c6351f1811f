from tests.access.figures import figures, pytest_terminal_summary  # noqa: F401
from tests.identification.conftest import calendar, flow, round_2012  # noqa: F401
