from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .calendar import invalidate_calendar
from .models import CalendarDay, CalendarYear


@receiver([post_save, post_delete], sender=CalendarYear)
@receiver([post_save, post_delete], sender=CalendarDay)
def calendar_changed(**kwargs) -> None:
    invalidate_calendar()
