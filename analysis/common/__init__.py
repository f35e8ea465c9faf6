"""Low-level helpers every stage may use: where a cohort's files live (:mod:`.paths`), the
unit registry (:mod:`.units`), folders written all or nothing (:mod:`.atomic`) and how
numbers are printed (:mod:`.formatting`). Imports nothing else of the package."""
