"""The exits app's models, one module per concern: 脱贫退出 of households, 退保/纳入 proposals, 贫困村退出."""

from exits.models.dibao import DibaoProposal
from exits.models.household_exit import ExitApplication, ExitState
from exits.models.village_exit import VillageExit, VillageExitSettings

__all__ = ["DibaoProposal", "ExitApplication", "ExitState", "VillageExit", "VillageExitSettings"]
