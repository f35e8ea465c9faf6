"""Analysis package of the CART2 compendium: one subpackage per stage of the data flow.

Each stage imports only from the stages above it:

- :mod:`analysis.common`: paths, the pint unit registry, atomic writes, number formatting.
- :mod:`analysis.sheets`: raw sheets (CSV folder or workbook) read and checked against the
  data dictionary; gives typed frames or a list of problems.
- :mod:`analysis.derivations`: typed frames -> the derived tables (ADaM-like), with the raw
  rows behind each derived row; :mod:`analysis.derivations.store` writes and reads them.
- :mod:`analysis.results`: the derived tables -> the article's results (one number each)
  and the statistics behind them.
- :mod:`analysis.ledger`: the claims ledger (published against computed), the audit of the
  article and the lock file of a cohort's results.
- :mod:`analysis.provenance`: the raw cells behind each claim and their basis (stated or
  imputed).
- :mod:`analysis.report`: what the documents show: figures (one module each), supplementary
  tables, sentences worded from results, the data notice.

The commands are thin modules at the top: ``python -m analysis.derive``,
``analysis.publish``, ``analysis.verify`` and ``analysis.trace``.
"""
