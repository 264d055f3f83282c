"""The job processes behind `flask --app wsgi worker`: RQ's worker, scheduler and cron scheduler, each
beating its liveness (app.jobs.liveness) every heartbeat, and a worker that keeps a scheduler running.

RQ alone leaves two gaps. A scheduler that died holds its lock for a minute after, and a worker that
could not take the lock at start tries again only every ten minutes, so after a crash and a quick
restart nothing moves scheduled jobs (retries, per-case deadline checks) for up to ten minutes. Here
a lock whose holder is dead (its liveness gone, or its pid gone on this host) is released and taken
at once, and every heartbeat the worker starts a scheduler again if its own is not running.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
from datetime import datetime

from redis.exceptions import RedisError
from rq import Worker as RQWorker
from rq import worker_registration
from rq.cron import CronScheduler
from rq.defaults import DEFAULT_LOGGING_DATE_FORMAT, DEFAULT_LOGGING_FORMAT
from rq.scheduler import RQScheduler
from rq.worker import DequeueStrategy

from app.jobs.liveness import CRON, SCHEDULER, WORKER, Beacon, free_lock_of_dead_holder

logger = logging.getLogger(__name__)

# A process is taken for dead this many heartbeats after its last one (a busy worker beats late).
LIVENESS_BEATS = 3
# A scheduler that does not hold every lock it wants tries again this often.
SCHEDULER_RETRY_SECONDS = 2
_PR_SET_PDEATHSIG = 1


def die_with_parent(parent_pid: int) -> None:
    """Called first in a process the worker command forks: it ends when its parent ends, even by
    SIGKILL, so a restart never finds the old one still running beside the new (Linux; elsewhere
    the parent's orderly exit ends it)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(0)


class Scheduler(RQScheduler):
    """RQ's scheduler that beats its liveness and takes over the lock of a dead holder at once."""

    def __init__(self, queues, *, ns: str, liveness_ttl: int, **kwargs):
        super().__init__(queues, **kwargs)
        self.beacon = Beacon(SCHEDULER, self.name, liveness_ttl, ns, sorted(self._queue_names))
        self.ns = ns

    @property
    def should_reacquire_locks(self) -> bool:
        if self._queue_names == self.acquired_locks:
            return False
        return (
            self.lock_acquisition_time is None
            # RQ stamps lock_acquisition_time with naive local datetime.now(): compare like with like.
            or (datetime.now() - self.lock_acquisition_time).total_seconds()  # noqa: DTZ005
            >= SCHEDULER_RETRY_SECONDS
        )

    def acquire_locks(self, auto_start: bool = False):
        for name in self._queue_names:  # its own lock too, when the process holding it died
            free_lock_of_dead_holder(self.connection, self.get_locking_key(name), self.ns)
        locks = super().acquire_locks(auto_start=False)
        if locks:
            self.beacon.beat(self.connection)  # before the process forks: nobody takes it for dead meanwhile
            if auto_start and (not self._process or not self._process.is_alive()):
                self.start()
        return locks

    def start(self):
        self._parent_pid = os.getpid()
        return super().start()

    def work(self):  # in the forked scheduler process
        die_with_parent(self._parent_pid)
        return super().work()

    def heartbeat(self):
        super().heartbeat()
        self.beacon.beat(self.connection)

    def stop(self):
        self.beacon.end(self.connection)
        super().stop()


class Worker(RQWorker):
    """RQ's worker, beating every `heartbeat` seconds (idle or busy): it rewrites its liveness and its
    registration each beat (a flushed Redis forgets neither for longer than a beat) and starts its
    scheduler again whenever it is not running and the lock is free or its holder dead."""

    def __init__(self, queues, *, heartbeat: int, ns: str, **kwargs):
        # RQ beats before each blocking dequeue of (worker_ttl - 15) s and every job_monitoring_interval
        # during a job
        super().__init__(queues, worker_ttl=heartbeat + 15, job_monitoring_interval=heartbeat, **kwargs)
        self.ns = ns
        self.liveness_ttl = LIVENESS_BEATS * heartbeat
        self.beacon = Beacon(WORKER, self.name, self.liveness_ttl, ns, self.queue_names())
        self._keeps_scheduler = False

    def work(
        self,
        burst: bool = False,
        logging_level: str | None = None,
        date_format: str = DEFAULT_LOGGING_DATE_FORMAT,
        log_format: str = DEFAULT_LOGGING_FORMAT,
        max_jobs: int | None = None,
        max_idle_time: int | None = None,
        with_scheduler: bool = False,
        dequeue_strategy: DequeueStrategy = DequeueStrategy.DEFAULT,
    ) -> bool:
        # RQ's own signature, passed through whole (a positional with_scheduler used to clash with ours)
        self._keeps_scheduler = with_scheduler and not burst
        return super().work(
            burst, logging_level, date_format, log_format, max_jobs, max_idle_time, with_scheduler, dequeue_strategy
        )

    def _start_scheduler(
        self,
        burst: bool = False,
        logging_level: str | None = "INFO",
        date_format: str = DEFAULT_LOGGING_DATE_FORMAT,
        log_format: str = DEFAULT_LOGGING_FORMAT,
    ):
        # RQ's own, with our scheduler class
        self.scheduler = Scheduler(
            self.queues,
            connection=self.connection,
            ns=self.ns,
            liveness_ttl=self.liveness_ttl,
            logging_level=logging_level if logging_level is not None else self.log.level,
            date_format=date_format,
            log_format=log_format,
            serializer=self.serializer,
        )
        self.scheduler.acquire_locks()
        if self.scheduler.acquired_locks:
            if burst:
                try:
                    self.scheduler.register_birth()
                    self.scheduler.enqueue_scheduled_jobs()
                finally:
                    self.scheduler.release_locks()
                    self.scheduler.register_death()
            else:
                self.scheduler.start()

    def heartbeat(self, timeout: int | None = None, pipeline=None):
        super().heartbeat(timeout, pipeline)  # first: RQ reads the result of its own first command
        if self.is_horse:
            return
        connection = pipeline if pipeline is not None else self.connection
        connection.hset(self.key, mapping=self.serialize())
        worker_registration.register(self, pipeline)  # None: RQ uses the worker's connection
        self.beacon.beat(connection)
        if self._keeps_scheduler:
            self._keep_scheduler_running()

    def _keep_scheduler_running(self) -> None:
        scheduler = self.scheduler
        if scheduler is None or (scheduler._process is not None and scheduler._process.is_alive()):
            return
        try:
            scheduler.acquire_locks(auto_start=True)
        except RedisError:  # Redis away for a moment: the next beat tries again
            logger.warning("could not take the scheduler lock", exc_info=True)

    def register_death(self):
        try:
            self.beacon.end(self.connection)
        finally:
            super().register_death()


class Cron(CronScheduler):
    """RQ's cron scheduler, waking at least every `heartbeat` seconds to beat its liveness."""

    def __init__(self, connection, *, heartbeat: int, ns: str, **kwargs):
        super().__init__(connection, **kwargs)
        self.heartbeat_seconds = heartbeat
        self.beacon = Beacon(CRON, self.name, LIVENESS_BEATS * heartbeat, ns)

    def heartbeat(self) -> None:
        super().heartbeat()
        self.beacon.beat(self.connection)

    def calculate_sleep_interval(self) -> float:
        return min(super().calculate_sleep_interval(), self.heartbeat_seconds)

    def register_death(self, pipeline=None) -> None:
        try:
            self.beacon.end(self.connection)
        finally:
            super().register_death(pipeline)
