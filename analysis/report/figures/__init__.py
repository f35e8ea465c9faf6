"""The article's figures, one module each (:mod:`.figure1` to :mod:`.figure4`), drawn from the
derived tables with matplotlib and seaborn; :mod:`.style` holds what they share.

Panels that need data a cohort does not have say so in the panel instead of drawing
something stale.
"""
