"""Profile one escalating sweep in-process (cProfile), to see where its time goes.

    .venv/bin/python scripts/bench/sweep_profile.py [--cases 30000] [--due 2000] [--top 45]

Loads a throw-away database like scripts/bench/sweep (PostgreSQL on $BENCH_PG_SERVER, Redis on
$BENCH_REDIS_URL), runs `sweep_complaints` once under the profiler, prints the CPU it took and the
profile's top entries by cumulative time, and drops the database. Run it from two checkouts to compare
their work call by call (counts do not depend on how busy the machine is).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import sweep_bench as sb


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=30_000)
    parser.add_argument("--due", type=int, default=2_000)
    parser.add_argument("--villages", type=int, default=100)
    parser.add_argument("--top", type=int, default=45)
    args = parser.parse_args()

    dbname = f"mingjing_bench_profile_{os.getpid()}"
    sb.common.create_db(dbname)
    try:
        sb.common.migrate(dbname)
        sb.load(dbname, cases=args.cases, due=args.due, villages=args.villages)
        app = sb.in_app(dbname)
        from app.clock import utcnow
        from app.extensions import get_redis
        from app.jobs.deadlines import sweep_complaints

        with app.app_context():
            get_redis().flushdb()
            profile = cProfile.Profile()
            cpu0 = time.process_time()
            profile.enable()
            escalated = sweep_complaints(utcnow())
            profile.disable()
            print(
                f"escalated {escalated:,}; CPU in this process {time.process_time() - cpu0:.2f}s (under the profiler)"
            )
            pstats.Stats(profile).sort_stats("cumulative").print_stats(args.top)
    finally:
        sb.common.drop_db(dbname)


if __name__ == "__main__":
    main()
