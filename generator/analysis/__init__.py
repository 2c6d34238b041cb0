"""The internal half-year review (`klachten analyse`): figures, trends, repeat complainants and
similar earlier solutions, as HTML and PDF in the private folder. Holds personal data: never
written under the site folder."""
