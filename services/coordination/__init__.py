"""Coordination office (coordination): each family's progress across the bureaus, the city's
supervision, statistics and audit (四(一) to 四(四)).

The coordination mechanism led by public security (四(一): 市公安局牵头负责的协调机制) and the
city's supervision (四(三): 纳入市政府督查工作范围) see here where every approved settlement
stands: each bureau's status and open items, who must act next, and the timeline of every
event. The office decides nothing: it reads hukou's approvals and every department's reports
into a view of its own, so it answers while a department is down, and `luohu coordination
rebuild` reads that view again from the event log. For the supervision it lists the open
items due across the bureaus, chases them (督办) until the department's own report closes
them, makes the weekly digest per county and names what stopped. It is given nothing of the
family beyond what every reader of an approval sees (the county, the channel, the household's
size, the day).

Its statistics (四(二), 一.1, 一.2) and yearly settlement report (三(一), 三(二)) are computed from
the same view, statistics' population figures and the permits' changes: `statistics.py`,
`reports.py`, `statistics_api.py`. For the audit (四(四)) it keeps the head of every service's
audit chain as each published it (`audit_heads.py`), so a history rewritten whole is found, and
the audit department's findings followed to closure (`findings.py`).
"""
