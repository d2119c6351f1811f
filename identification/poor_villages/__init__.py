"""贫困村识别 (seed 002 四(五)): the county's indicators and weights, ranking runs over every 行政村 and
村民小组, and the county's marking of 贫困村 from a ranking. See identification/README.md."""
