"""Partnerships: what follows an accepted challenge (organisations, contact persons,
agreement, milestones, reflections, knots). A bare app until that issue is built."""
