"""`paraloom demo`'s sections: in-process components (:mod:`.inprocess`), a real localnet
(:mod:`.network`) running jobs (:mod:`.jobs`), a coordinated ceremony (:mod:`.ceremony`) and
a withdrawal proof put to the validators' vote (:mod:`.withdraw`). The CLI prints them.
"""
