"""The staff web application: server-rendered pages with htmx, one stylesheet."""
