"""The ledger: every published number against the number the sheets give.

Takes the derived tables and ``claims.yaml``; gives the comparison (:mod:`.claims`), the
audit of the article's internal consistency (:mod:`.audit`), the claims a cohort computes
under its own settings (:mod:`.settings`) and a cohort's locked results (:mod:`.lock`).
"""
