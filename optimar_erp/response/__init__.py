"""Learning collections in the shell: the nightly job that learns each customer's response
(:mod:`.jobs`), the signed store of the fitted model (:mod:`.store`), the learned policy a Dunning Run
hands to the engine (:mod:`.policy`) and what the Desk shows (:mod:`.api`). The engine part is
:mod:`optimar_erp.engine.response`."""
