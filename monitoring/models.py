"""防返贫监测: monitored households, automatic warnings and their verification."""
