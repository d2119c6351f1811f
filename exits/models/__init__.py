"""The exits app's models, one module per concern (another module holds the village exit)."""

from exits.models.dibao import DibaoProposal
from exits.models.household_exit import ExitApplication, ExitState

__all__ = ["DibaoProposal", "ExitApplication", "ExitState"]
