"""Accounting for a release: the internal audit log and the public schedule."""
