"""帮扶: helpers, pairings, work teams, plans and measures, visits, 小额信贷, and the 整改清单 (coverage)."""
