"""Background jobs: long planner runs outside the web process, with progress and cancel."""
