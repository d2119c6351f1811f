"""Rounds, applications and the five-step identification workflow. Models arrive with issue 4."""
