"""Input and output at the edges: loading tables and folders of documents (with rejects),
reading PDF/DOCX/HTML/text files, atomic writes, spreadsheet-safe CSV, the run manifest, the
accounting of every input record, and the schemas of the files matcher reads.
"""
