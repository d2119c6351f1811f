"""Finding a row's 村民小组 from its names, among the areas the importing user may see."""

from __future__ import annotations

from accounts.models import User
from villages.models import Area
from villages.names import area_key


class AreaMatcher:
    """Finds a 村民小组 from the three names of a row, only among the areas the user may see."""

    def __init__(self, user: User) -> None:
        self.children: dict[int | None, list[Area]] = {}
        self.keys: dict[int, str] = {}
        areas = Area.objects.visible_to(user).filter(
            level__in=[Area.Level.TOWNSHIP, Area.Level.VILLAGE, Area.Level.GROUP]
        )
        for area in areas.only("id", "name", "level", "parent_id", "code"):
            parent = None if area.level == Area.Level.TOWNSHIP else area.parent_id
            self.keys[area.id] = area_key(area.name, township=parent is None)
            self.children.setdefault(parent, []).append(area)
        self.cache: dict[tuple[str, str, str], Area | str] = {}

    def _child(
        self, parent: int | None, name: str, level_label: str, *, township: bool = False
    ) -> Area | str:
        candidates = self.children.get(parent, [])
        exact = [a for a in candidates if a.name == name]
        if len(exact) == 1:
            return exact[0]
        key = area_key(name, township=township)
        found = [a for a in candidates if self.keys[a.id] == key]
        if len(found) == 1:
            return found[0]
        if not found:
            return f"{level_label}“{name}”不存在或不在您的管辖范围内"
        return f"{level_label}“{name}”对应多个区划,请写全称"

    def group(self, township: str, village: str, group: str) -> tuple[Area | str, str]:
        """(the group or the message saying what is wrong, the key of the level that decided it)."""
        names = (township, village, group)
        if names not in self.cache:
            found = self._child(None, township, "乡镇", township=True)
            level = "a.township"
            if isinstance(found, Area):
                found, level = self._child(found.id, village, "行政村"), "a.village"
                if isinstance(found, Area):
                    found, level = self._child(found.id, group, "村民小组"), "a.group"
            self.cache[names] = (found, level)
        return self.cache[names]
