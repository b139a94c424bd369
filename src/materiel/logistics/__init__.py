"""Transfers: shipments, legs, custody of serial-numbered assets, transport planning."""
