"""Scoring pairs: the embedder and its cache, the FAISS index, lexical scores, the
rankers (baselines and the requirement-aware ranker with its features and calibration),
explanations, shortlists and recommendations, and the choice of ranker for a run.
"""
