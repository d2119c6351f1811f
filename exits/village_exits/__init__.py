"""贫困村退出: the county's standard, the township's proposal, the 公示 and the county's approval.
See exits/README.md."""
