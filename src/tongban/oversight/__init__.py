"""Efficiency supervision: scans, alerts, statistics and dashboards (issue 9)."""
