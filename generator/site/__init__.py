"""The public website: the mkdocs plugin, the jaarverslag figures and the privacy guard."""
