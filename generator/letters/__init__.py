"""Letters to complainants as PDF: the letter kinds, their context and rendering."""
