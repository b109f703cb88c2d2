"""Pension (human resources): pension continuation and the minimum living guarantee, 三(七)."""
