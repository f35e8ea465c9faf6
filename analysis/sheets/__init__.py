"""Reading and checking the raw sheets.

Takes a cohort (a folder of CSV sheets or one Excel workbook) and the data dictionary
(:mod:`.dictionary`); gives typed frames with every quantity in its standard unit
(:func:`.cohort.read_cohort`), or an :class:`.problems.InputError` listing every problem at
once. :mod:`.rawsheet` and :mod:`.workbook` read the two sources, :mod:`.rules` checks
across rows and sheets, :mod:`.privacy` refuses direct identifiers.
"""
