"""Daily jobs for the raw report tables: create day partitions ahead, purge what is older than
the retention period (amina.services.reports.retention). Counts only in logs and summaries."""

from __future__ import annotations

from datetime import time

from amina.entrypoints.jobs.scheduler import Job, JobContext
from amina.services.reports.retention import maintain_partitions, purge_old_reports


def partition_maintenance(context: JobContext) -> str:
    """Create the day partitions of ``location_reports`` and ``device_status`` for today and
    the week ahead (PostgreSQL; nothing to do on SQLite)."""
    created = maintain_partitions(context.container.uow, context.container.clock)
    context.metrics.gauge(
        "amina_report_partitions_created", "Day partitions created by the last maintenance run"
    ).set(len(created))
    return f"{len(created)} day partitions created"


def report_retention(context: JobContext) -> str:
    """Delete raw reports and device status older than the policy's retention period."""
    result = purge_old_reports(context.container.uow, context.container.clock)
    context.metrics.gauge(
        "amina_report_rows_purged", "Raw report and status rows removed by the last purge"
    ).set(result.rows_in_dropped_partitions + result.reports_deleted + result.statuses_deleted)
    return result.summary()


PARTITION_JOB = Job(
    "partition-maintenance", time(0, 30), partition_maintenance, working_days_only=False
)
RETENTION_JOB = Job("report-retention", time(4, 0), report_retention, working_days_only=False)
