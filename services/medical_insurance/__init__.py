"""Medical insurance (human resources): each member's insurance carried on, 三(六).

On `hukou.settlement.approved`, each settled member's basic medical insurance is
transferred into the city's scheme without a gap, continued, or begun (三(六));
transfers from outside Shaoguan wait for the origin's confirmation.
"""
