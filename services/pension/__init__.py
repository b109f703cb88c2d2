"""Pension (human resources): pension continuation, 三(七).

On each approved settlement: one basic pension continuation per adult (scheme joined, months
carried over, status; those past pension age draw on local terms), followed through until
nothing is open: a fact not stated, a parameter not recorded, or an origin's confirmation of
the months carried over.
"""
