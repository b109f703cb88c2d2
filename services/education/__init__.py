"""Education: the children of settled families schooled on local terms, 三(八).

Children of settled families schooled on the same terms as local children (同城同待遇,
clause 三(八)): a placement per child by age on `hukou.settlement.approved`, a notice
to the family, student-status transfers, and each county's planning view. A placement waiting
on a fact or a parameter, and a transfer awaiting the receiving side's completion, stay open
items of the settlement until they arrive; only then is education done.
"""
