"""Screens of 贫困识别 (one module per step): thin views over identification.services and identification.selectors.

Every object is fetched through a scoped selector (outside the user's area → 404, like a missing one);
every change goes through a service. A refusal for the user's role is a 403 with the service's Chinese
message; any other refusal (wrong state, past quota, notice still running…) is shown on the form, with
what was typed kept.
"""
