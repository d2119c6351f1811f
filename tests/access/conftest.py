from tests.access.figures import figures, pytest_terminal_summary  # noqa: F401
