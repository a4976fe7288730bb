"""Jobs for the WorkerPool tests, run inside spawned workers and named as
"pool_jobs:function". Standard library only: each worker imports this
module, and the harness's imports (httpx, the engine) would cost it half a
second of CPU."""

import os
import time


def load_nothing() -> dict:
    return {"loaded": True}


def job_echo(state, value):
    return value


def job_sleep(state, seconds: float):
    time.sleep(seconds)
    return seconds


def job_hold_gil(state, seconds: float):
    """Catastrophic backtracking in `re`: one C call that never lets go of the GIL."""
    import re

    n, t0 = 18, time.perf_counter()
    while time.perf_counter() - t0 < seconds / 4:
        n += 1
        t0 = time.perf_counter()
        re.match(r"(a+)+$", "a" * n + "b")
    return n


def job_die(state):
    os._exit(3)


def job_input_error(state, message: str):
    from bot.errors import InputError

    raise InputError(message)


def job_bug(state):
    return {}["missing"]
