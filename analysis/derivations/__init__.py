"""Derivations: one function per derived quantity, named for what it derives.

Takes the typed frames of :mod:`analysis.sheets`; gives the derived tables. The modules
follow the data: :mod:`.timing` (study days, ages, intervals), :mod:`.dosing` (CAR-T doses,
lymphodepletion intensity), :mod:`.response` (marrow status, MRD, remission),
:mod:`.toxicity` (CRS grade), :mod:`.labs` (long lab table, baselines, peaks, B-cell
aplasia), :mod:`.events` (time-to-event rows) and :mod:`.adam` (the derived tables);
:mod:`.origin` notes the raw rows behind each derived row, and :mod:`.store` writes the
tables to a cohort's ``data-derived/`` folder and reads them back.
"""
