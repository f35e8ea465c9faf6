"""Provenance: which raw cells stand behind each number, and what their basis is.

Takes the derivation's row lineage and the ledger; gives, per claim, the raw cells
(:mod:`.sources`, :mod:`.lineage`), each cell's basis from ``data-raw/provenance.csv``
(:mod:`.cells`), and the details the HTML paper shows on a number (:mod:`.details`).
"""
