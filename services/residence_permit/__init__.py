"""Residence permits (public security): for residents not settled, 三(九).

Residence permits (居住证) for residents who have not settled (三(九)), under the Interim
Regulations on Residence Permits: issue after half a year of residence, yearly
endorsement, the services a holder is entitled to, and closing on settlement.
"""
