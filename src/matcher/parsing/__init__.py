"""Structured reading of postings and resumes: the skill vocabulary and matcher,
ESCO/O*NET taxonomies, experience (roles, years), education, the required/preferred cue,
posting requirements, any-of groups, and the posting and resume profiles built from them.
"""
