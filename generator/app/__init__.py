"""The application layer: the `klachten` command and the nightly run, over register/ and the generators."""
