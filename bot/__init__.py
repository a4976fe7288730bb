"""chsm-bot: answers Azure Cloud HSM errors from Microsoft's docs, offline."""

import os

# One BLAS thread, unless the operator says otherwise. Our matrix products are
# one query against a few thousand rows, where threads give nothing; and
# OpenBLAS (numpy's, and faiss's own copy) starts a thread per core in every
# process that imports it, 0.1 to 0.25 s of CPU each time, then spins them
# after each call. Read when numpy loads, so it is set before any import of it.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def cores() -> int:
    """The cores this process may run on (a container's or taskset's share)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1

__version__ = "0.1.0"
