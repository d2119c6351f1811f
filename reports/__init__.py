"""Ledgers, statistics and the reports table: 户有卡·村有册·乡有簿·县电子档案, the 行政村/村民小组登记表,
the 贫困人口分解表, and the county and township dashboards. Exports run as Celery tasks with progress."""
