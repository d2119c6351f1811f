"""脱贫退出 and 返贫 monitoring. Models arrive with a later issue."""
