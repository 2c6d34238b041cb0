"""The data layer of klachten: config, register schema, sources, validation and deadlines.

Nothing in this package produces output or imports the CLI framework.
"""
