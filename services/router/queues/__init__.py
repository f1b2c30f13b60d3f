"""Where a tip is queued: team queues, claims, outcomes, notes, reassignment."""
