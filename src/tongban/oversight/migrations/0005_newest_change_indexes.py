"""Indexes for the exact cache of the statistics cube (tongban.oversight.stats.state): the
newest `updated_at` of the cases, reviews and rectifications, read on every overview, is one
step down an index instead of a scan of a million rows. Raw SQL (the same on PostgreSQL and
SQLite) because the tables belong to the cases and reviews apps; the statement is idempotent."""

from django.db import migrations

INDEXES = [("oversight_case_updated_at", "cases_case"), ("oversight_review_updated_at", "reviews_review"),
           ("oversight_rectification_updated_at", "reviews_rectification")]


class Migration(migrations.Migration):
    dependencies = [
        ("oversight", "0004_monthly_rollup"),
        ("cases", "0006_stats_indexes"),
        ("reviews", "0005_mark_earlier_re_ratings"),
    ]

    operations = [
        migrations.RunSQL(f"CREATE INDEX IF NOT EXISTS {name} ON {table} (updated_at)",
                          f"DROP INDEX IF EXISTS {name}")
        for name, table in INDEXES
    ]
