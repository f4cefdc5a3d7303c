"""Review features: templates, coverage, suggestions, reports and the goal portfolio."""
