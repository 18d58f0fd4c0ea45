"""`cjm bench`: tiers of simulated data, timed pipeline scenarios, and the baseline script."""
