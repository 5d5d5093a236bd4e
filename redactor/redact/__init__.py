"""Stage 5: a plan's boxes in, an irreversibly redacted, sanitised PDF out."""
