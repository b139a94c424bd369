"""Demining: hazard areas, remote clearance assets, tasking, coverage, land release."""
