"""Results: the derived tables -> one number per published statement.

:mod:`.measures` holds the functions the claims ledger names (counts, summaries,
Kaplan-Meier estimates, yes/no facts); :mod:`.statistics` is the thin layer over scipy and
lifelines they use.
"""
