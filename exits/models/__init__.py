"""The models of exits, one module per part (贫困村退出: village_exit)."""

from exits.models.village_exit import VillageExit, VillageExitSettings  # noqa: F401
