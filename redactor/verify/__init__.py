"""Independent verification of a redacted PDF (shares no extraction code with apply)."""
