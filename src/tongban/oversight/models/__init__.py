from .alerts import Alert
from .stats import DailyStat, MonthlyStat, StatsWatermark

__all__ = ["Alert", "DailyStat", "MonthlyStat", "StatsWatermark"]
