"""帮扶: helpers, pairings, measures, visits. Models arrive with a later issue."""
