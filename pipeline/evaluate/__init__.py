"""Evaluation on the real-text development set: references into ../shared, gold in corpora/devset."""
