"""Text cleaning: Unicode and HTML repair, sections and headings, contact details and
redaction, exact and near duplicates, dates, posting boilerplate, and the nodes that turn
loaded records into model-ready text.
"""
