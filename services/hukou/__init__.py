"""Hukou (public security): settlement applications, decided by the 2017 measures.

Settlement applications (落户申请) decided by the 2017 Shaoguan measures as code;
approval publishes `hukou.settlement.approved` and the fan-out shows each
department's progress.
"""
