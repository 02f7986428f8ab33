"""MLflow: runs and experiments, logging evaluations, the model registry and the
registered ranker model (models-from-code).
"""
