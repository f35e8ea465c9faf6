"""The report: what the documents show, built from results, ledger and provenance.

:mod:`.figures` (one module per figure), :mod:`.tables` (the supplementary tables),
:mod:`.prose` (sentences worded from results), :mod:`.notices` (whose data a document
shows). ``assets/`` holds the HTML popup the paper includes.
"""
