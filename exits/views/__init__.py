"""Screens of the exits app: thin views over exits.selectors and exits.services, one module per screen."""
