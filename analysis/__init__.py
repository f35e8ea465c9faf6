"""Analysis package of the CART2 compendium.

Data flow: :mod:`analysis.sheets` reads and checks the raw sheets (units through
:mod:`analysis.units`), the derivation modules turn them into the derived tables
(:mod:`analysis.tables`), and the statistics, figures and claims modules feed the paper.
"""
