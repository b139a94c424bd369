"""The transport planner: shipments and legs over a time-expanded network."""
