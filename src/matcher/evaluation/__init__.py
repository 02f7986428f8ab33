"""Measuring rankers on labelled data: metrics, labelled sets, evaluation runs,
grids and their comparison, learning the requirement ranker's weights, the cross-domain
matrix and the parser's quality against hand annotations.
"""
