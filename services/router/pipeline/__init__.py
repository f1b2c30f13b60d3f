"""Where a tip is decided: the router's side of the pipeline (load, decide, write queue items)."""
