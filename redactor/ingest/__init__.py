"""Stage 1: a file in, an opened document out (bad input refused here)."""
