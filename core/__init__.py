"""The floor every app stands on: one refusal type, small shared helpers, the clock,
and the view that hands a form to a service (`core.views`).

`core` imports nothing of the portal's apps (the import-linter contract in
pyproject.toml holds every layer to that); it is a plain package, not a Django app.
"""
