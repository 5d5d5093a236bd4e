"""How a page draws: a content-stream interpreter and font metrics, shared by
the stages that need to know where each glyph, path and image lands
(detection of text hidden under boxes, apply's surgery, verification)."""
