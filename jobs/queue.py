"""The RQ queue the recalculation pipeline uses, and our own RQ job ids."""

from __future__ import annotations

import uuid

import django_rq
from django.conf import settings
from rq import Queue


def get_queue() -> Queue:
    return django_rq.get_queue(settings.JOBS_QUEUE)


def start_task_id(job_id: uuid.UUID, attempt: int) -> str:
    return f"pj-{job_id}-a{attempt}"


def chunk_task_id(job_id: uuid.UUID, number: int, attempt: int) -> str:
    return f"pj-{job_id}-c{number}-a{attempt}"
