"""Stage 2: a document in, text and pixels with geometry out."""
