"""Housing security (housing): settled households on local residents' terms, 三(五).

Settled households assessed for housing security on the same terms as local urban
residents (三(五)): the rental subsidy (租赁补贴) or public rental housing in kind (实物保障),
under the housing department's dated local parameters; applications, outcomes and
each county's waiting list.
"""
