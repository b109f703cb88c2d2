"""Civil affairs (civil_affairs): the minimum living guarantee for settled households, 三(七).

Settled households assessed for the minimum living guarantee (最低生活保障) on the same terms
as local residents (三(七)): eligible when the household's monthly income per member is
strictly below the standard civil affairs has in force for its county, a dated local
parameter; followed through until the income and the standard it needs are known.
"""
