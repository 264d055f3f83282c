"""`flask --app wsgi worker`: the RQ worker with its built-in scheduler, plus the periodic scheduler.
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
from rq import Worker
from rq.cron import CronScheduler

from app.extensions import db, get_redis
from app.jobs import queue
from app.jobs.periodic import schedule


def _run_cron(redis_url: str, queue_name: str, periodic: list) -> None:
    cron = CronScheduler(connection=Redis.from_url(redis_url), logging_level=logging.INFO)
    for func, interval in periodic:
        cron.register(func, queue_name, interval=interval)
    cron.start()


def register(app: Flask) -> None:
    @app.cli.command("worker")
    @click.option("--burst", is_flag=True, help="Run the jobs that are due, then exit.")
    @click.option("--no-cron", is_flag=True, help="Do not start the periodic scheduler.")
    def worker(burst: bool, no_cron: bool) -> None:
        """Run the RQ worker (with scheduler) and the periodic job scheduler."""
        # Each job runs in a forked child: it must not reuse the parent's database connections.
        engines = list(db.engines.values())
        os.register_at_fork(after_in_child=lambda: [e.dispose(close=False) for e in engines])
        cron = None
        if not burst and not no_cron:
            cron = multiprocessing.get_context("fork").Process(
                target=_run_cron, args=(current_app.config["REDIS_URL"], current_app.config["RQ_QUEUE"], schedule(current_app.config)),
                name="mingjing-cron", daemon=True)
            cron.start()
        try:
            Worker([queue()], connection=get_redis()).work(with_scheduler=True, burst=burst)
        finally:
            if cron is not None and cron.is_alive():
                cron.terminate()
                cron.join(5)

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
    @click.option("--push-url", default=None, help="where to push events, e.g. http://127.0.0.1:5000/api/v1/wechat/push")
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
            target = PushTarget(url=push_url, token=cfg["WECHAT_PUSH_TOKEN"], aes_key=cfg["WECHAT_PUSH_AES_KEY"] or None,
                                auto=True, media_origin=media_origin)
        serve(host, port, appid=cfg["WECHAT_APPID"], secret=cfg["WECHAT_SECRET"], push_target=target)

    @app.cli.command("four-platform-fake")
    @click.option("--host", default="127.0.0.1")
    @click.option("--port", default=5020, type=int)
    @click.option("--secret", required=True, help="The township's shared secret (as set in its platform configuration).")
    @click.option("--callback-url", default=None, help="The township's inbound_url, for status updates posted back.")
    def four_platform_fake(host: str, port: int, secret: str, callback_url: str | None) -> None:
        """Serve a fake four-platform system (基层治理四平台): receives signed deliveries at /cases."""
        from app.fourplatform.fake import serve

        serve(host, port, secret=secret, callback_url=callback_url)
