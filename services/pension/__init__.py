"""Pension (human resources): pension continuation and the minimum living guarantee, 三(七).

On each approved settlement: one basic pension continuation per adult (scheme
joined, months carried over, status; those past pension age draw on local terms) and
the household's minimum living guarantee (最低生活保障) assessed as for local residents,
clause 三(七).
"""
