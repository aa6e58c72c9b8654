"""The roles OptimAR adds. Their permissions live on each doctype's JSON."""

COLLECTIONS_MANAGER = "Collections Manager"
COLLECTOR = "Collector"
ROLES = (COLLECTIONS_MANAGER, COLLECTOR)
