"""Presentation: what the domain returns as data, made into the Tables cli/render.py prints
(columns, headers, titles, notes). One module per area."""
