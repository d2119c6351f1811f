"""动态管理: 脱贫退出 of households (两不愁三保障), 退保 and 纳入 queues, 贫困村退出."""
