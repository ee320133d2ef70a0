from .alerts import Alert
from .stats import DailyStat, StatsWatermark

__all__ = ["Alert", "DailyStat", "StatsWatermark"]
