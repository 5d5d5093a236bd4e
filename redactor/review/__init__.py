"""Stage 4: findings in, a reviewed plan out (terminal review, HTML report)."""
