"""公示: a public list for a period, its entries and the objections against them — one component that does not
know what it publishes. Identification (组/村/乡镇公示, 县公告), 脱贫退出, 贫困村退出 and 风险消除 all use it:
each registers a `Publisher` (notices.registry) that says who may publish and handle a kind of notice, what
an upheld objection does, and what closing the notice does to its subjects.
"""
