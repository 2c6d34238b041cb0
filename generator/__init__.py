"""Everything klachten produces: reports, letters, site pages, the jaarverslag, mail, and the CLI."""
