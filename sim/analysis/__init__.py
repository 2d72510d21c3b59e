"""Analysis: summaries of results and comparison statistics."""
