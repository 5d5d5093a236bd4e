"""Stage 3: text in, findings out (rule packs, validators, context, NER)."""
