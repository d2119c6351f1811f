"""Rounds, applications and the five-step identification workflow (申报 → 评议 → 入户调查 → 三级公示 → 县级认定)."""
