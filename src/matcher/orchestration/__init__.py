"""Operating matcher: the background Prefect server and the processes that serve schedules."""
