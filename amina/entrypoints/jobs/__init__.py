"""Jobs: the scheduler (leader lease), sweeps, outbox worker, retention purge."""
