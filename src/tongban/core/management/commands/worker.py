import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "运行后台与定时任务：有 REDIS_URL 时启动 Celery worker（含 beat），否则运行内置调度器"

    def handle(self, *args, **opts):
        if settings.REDIS_URL:
            from tongban.celery import app
            from tongban.core.jobs import beat_schedule, lease_transport_options

            app.loader.import_default_modules()
            app.conf.beat_schedule = beat_schedule()
            # the lease of a job taken but not yet acknowledged (ADR 0017): settings may override
            app.conf.broker_transport_options = {**lease_transport_options(),
                                                 **(app.conf.broker_transport_options or {})}
            app.worker_main(["worker", "--beat", "--loglevel=INFO", "--concurrency=2"])
            return
        from tongban.core.jobs import run_scheduler

        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        self.stdout.write("未配置 REDIS_URL：内置调度器运行中（Ctrl+C 退出）")
        run_scheduler(stop)
