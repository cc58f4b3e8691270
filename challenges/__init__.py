"""Challenges: the catalogue of challengeable tasks, the submission, the state
machine, assessments, the decision and the shared timeline."""
