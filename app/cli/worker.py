"""`flask --app wsgi worker`: the RQ worker with its built-in scheduler, a second worker for deadline
work alone (so an escalation never waits for a long bulk job), plus the periodic scheduler.
`flask --app wsgi sweep`: one sweep now (deadlines, deliveries, notifications).
`flask --app wsgi wechat-sandbox`: the loopback WeChat server used when no real credentials are set.
`flask --app wsgi four-platform-fake`: a loopback fake of a township's four-platform system."""

from __future__ import annotations

import logging
import multiprocessing
import os

import click
from flask import Flask, current_app
from redis import Redis

from app.extensions import db, get_redis
from app.jobs import DEADLINES, liveness, queue_for, queue_name, worker_queues
from app.jobs.periodic import schedule
from app.jobs.runner import Cron, Worker, die_with_parent


def _run_cron(parent_pid: int, redis_url: str, periodic: list, heartbeat: int, ns: str) -> None:
    die_with_parent(parent_pid)
    cron = Cron(Redis.from_url(redis_url), heartbeat=heartbeat, ns=ns, logging_level=logging.INFO)
    for func, on_queue, interval in periodic:
        # a run still waiting when the next is due is dropped (ttl): sweeps do not pile up behind a backlog
        cron.register(func, on_queue, interval=interval, ttl=interval)
    cron.start()


def _run_deadline_worker(parent_pid: int, redis_url: str, on_queue: str, heartbeat: int, ns: str) -> None:
    die_with_parent(parent_pid)
    Worker([on_queue], connection=Redis.from_url(redis_url), heartbeat=heartbeat, ns=ns).work()


def register(app: Flask) -> None:
    @app.cli.command("worker")
    @click.option("--burst", is_flag=True, help="Run the jobs that are due, then exit.")
    @click.option("--no-cron", is_flag=True, help="Do not start the periodic scheduler.")
    def worker(burst: bool, no_cron: bool) -> None:
        """Run the RQ worker (with scheduler) serving deadline work first, a worker for deadline work
        alone, and the periodic job scheduler."""
        # Each job runs in a forked child: it must not reuse the parent's database connections.
        engines = list(db.engines.values())

        def dispose_engines() -> None:
            for e in engines:
                e.dispose(close=False)

        os.register_at_fork(after_in_child=dispose_engines)
        cfg = current_app.config
        beat, ns, me = cfg["WORKER_HEARTBEAT_SECONDS"], liveness.namespace(), os.getpid()
        fork = multiprocessing.get_context("fork")
        children = []
        if not burst:
            children.append(
                fork.Process(
                    target=_run_deadline_worker,
                    name="mingjing-deadlines",
                    daemon=True,
                    args=(me, cfg["REDIS_URL"], queue_name(DEADLINES), beat, ns),
                )
            )
        if not burst and not no_cron:
            periodic = [(func, queue_for(func).name, every) for func, every in schedule(cfg)]
            children.append(
                fork.Process(
                    target=_run_cron, name="mingjing-cron", daemon=True, args=(me, cfg["REDIS_URL"], periodic, beat, ns)
                )
            )
        for child in children:
            child.start()
        try:
            Worker(worker_queues(), connection=get_redis(), heartbeat=beat, ns=ns).work(
                with_scheduler=True, burst=burst
            )
        finally:
            for child in children:
                if child.is_alive():
                    child.terminate()
            for child in children:
                child.join(30)

    @app.cli.command("sweep")
    def sweep_now() -> None:
        """Run one sweep now (what the scheduler runs every minute) and print what it did."""
        from app.jobs.sweep import sweep

        done = sweep()
        for name, count in done.items():
            click.echo(f"{name}: {'失败，见日志' if count < 0 else count}")
        if any(count < 0 for count in done.values()):
            raise click.exceptions.Exit(1)

    @app.cli.command("wechat-sandbox")
    @click.option("--host", default="127.0.0.1")
    @click.option("--port", default=5010, type=int)
    @click.option(
        "--push-url", default=None, help="where to push events, e.g. http://127.0.0.1:5000/api/v1/wechat/push"
    )
    @click.option("--media-origin", default=None, help="download media from this origin instead of PUBLIC_BASE_URL's")
    def wechat_sandbox(host: str, port: int, push_url: str | None, media_origin: str | None) -> None:
        """Serve the loopback WeChat sandbox (see README: how a code maps to an openid). With --push-url
        it judges images by itself and pushes the verdicts there, signed and encrypted with the app's
        WECHAT_PUSH_TOKEN / WECHAT_PUSH_AES_KEY."""
        from app.wechat.sandbox import serve
        from app.wechat.sandbox_media import PushTarget

        cfg = current_app.config
        target = None
        if push_url:
            target = PushTarget(
                url=push_url,
                token=cfg["WECHAT_PUSH_TOKEN"],
                aes_key=cfg["WECHAT_PUSH_AES_KEY"] or None,
                auto=True,
                media_origin=media_origin,
            )
        serve(host, port, appid=cfg["WECHAT_APPID"], secret=cfg["WECHAT_SECRET"], push_target=target)

    @app.cli.command("four-platform-fake")
    @click.option("--host", default="127.0.0.1")
    @click.option("--port", default=5020, type=int)
    @click.option(
        "--secret", required=True, help="The township's shared secret (as set in its platform configuration)."
    )
    @click.option("--callback-url", default=None, help="The township's inbound_url, for status updates posted back.")
    def four_platform_fake(host: str, port: int, secret: str, callback_url: str | None) -> None:
        """Serve a fake four-platform system (基层治理四平台): receives signed deliveries at /cases."""
        from app.fourplatform.fake import serve

        serve(host, port, secret=secret, callback_url=callback_url)
