"""Text cleaning: Unicode and HTML repair, sections and the one heading classifier, the one
sentence splitter, the one stemmer, packaged word lists, contact details and redaction, exact
and near duplicates, dates, posting boilerplate, and the nodes that turn loaded records into
model-ready text.
"""
