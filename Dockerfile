# chsm-bot: the Slack bot in HTTP mode, with its corpus and a search index
# built at build time (start-up only loads it).
#
#   docker build -t chsm-bot .     # python:3.11-slim; torch from PyTorch's CPU index
#   bash scripts/container.sh      # podman, a local Debian base, a local torch wheel; then a real run
#
# BASE: python:3.11-slim, or any Debian-family image with no Python at all
#   (Debian's python3, 3.11 on bookworm, then comes from apt).
# TORCH: the CPU build of torch, never the multi-GB CUDA one. Taken from a
#   torch wheel in wheels/ of the build context if there is one (a machine
#   without PyTorch's index), else from TORCH_INDEX.
ARG BASE=python:3.11-slim

# -- base: Python, CA certificates, nothing else -----------------------------
FROM ${BASE} AS base
SHELL ["/bin/sh", "-eu", "-c"]
ARG DEBIAN_FRONTEND=noninteractive
# hadolint ignore=DL3008
RUN if ! command -v python3 >/dev/null 2>&1; then \
      apt-get update; \
      apt-get install -y --no-install-recommends python3 ca-certificates; \
      rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/cache/apt/archives/*.deb /var/log/apt /var/log/dpkg.log; \
    fi

# -- deps: a venv in /opt/venv with every dependency (not the bot itself) ----
FROM base AS deps
ARG DEBIAN_FRONTEND=noninteractive
ARG TORCH=torch==2.13.0+cpu
ARG TORCH_INDEX=https://download.pytorch.org/whl/cpu
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    HF_HUB_OFFLINE=1 \
    PATH=/opt/venv/bin:$PATH
# hadolint ignore=DL3008
RUN if ! python3 -c 'import ensurepip' >/dev/null 2>&1; then \
      apt-get update; \
      apt-get install -y --no-install-recommends python3-venv; \
      rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/log/apt /var/log/dpkg.log; \
    fi; \
    python3 -m venv /opt/venv

# torch first, the CPU build, held by a constraint so nothing below swaps it
# (pinned by TORCH, which hadolint cannot see). Test suites and C++ headers
# go in the layer that made them (here and below, about 280 MB in all): the
# bot never runs them, and the index build proves torch works without them.
# hadolint ignore=DL3013
RUN --mount=type=bind,target=/ctx \
    set -- --index-url "$TORCH_INDEX"; \
    if ls /ctx/wheels/torch-*.whl >/dev/null 2>&1; then set -- --find-links /ctx/wheels; fi; \
    pip install "$@" "$TORCH"; \
    echo "$TORCH" > /opt/constraints.txt; \
    sp=$(python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])'); \
    rm -rf "$sp/torch/test" "$sp/torch/include"; \
    find "$sp" -type d -name tests -prune -exec rm -rf {} +

# The dependencies from pyproject.toml (through a stub package).
WORKDIR /app
COPY pyproject.toml ./
RUN mkdir bot; touch bot/__init__.py README.md; \
    pip install -c /opt/constraints.txt .; \
    pip uninstall -y chsm-bot; \
    rm -rf bot README.md build ./*.egg-info; \
    sp=$(python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])'); \
    rm -rf "$sp/onnx/backend/test"; \
    find "$sp" -type d -name tests -prune -exec rm -rf {} +

# -- build: the bot's wheel in /app/dist, the index in /app/index -------------
FROM deps AS build
COPY README.md ./
COPY bot ./bot
COPY corpus ./corpus
# The ONNX export cache goes to a folder removed in the same layer.
RUN pip wheel --no-deps -w /app/dist .; \
    pip install --no-deps /app/dist/*.whl; \
    CHSM_CACHE_DIR=/tmp/chsm-cache chsm index build --corpus /app/corpus --out /app/index; \
    rm -rf /tmp/chsm-cache /app/index/.lock

# -- the image: deps + the bot + corpus + index, run as a user without a shell.
# On top of deps, not a copy of its venv: a change to the bot or the corpus
# then rebuilds only the small layers below.
FROM deps
ENV PYTHONUNBUFFERED=1 \
    CHSM_CORPUS_DIR=/app/corpus \
    CHSM_INDEX_DIR=/app/index \
    CHSM_DATA_DIR=/data
RUN useradd --system --uid 10001 --user-group --home-dir /data --no-create-home --shell /usr/sbin/nologin chsm; \
    mkdir -p /data; \
    chown chsm:chsm /data
COPY --from=build /app/corpus /app/corpus
COPY --from=build /app/index /app/index
RUN --mount=type=bind,from=build,source=/app/dist,target=/tmp/dist \
    pip install --no-deps --no-index /tmp/dist/*.whl

USER 10001:10001
WORKDIR /data
VOLUME ["/data"]
EXPOSE 3000
# For HTTP mode (the default command); it follows a --port given to the
# command. Socket Mode serves no /healthz: turn the check off there
# (docker run --no-healthcheck; compose: healthcheck: {disable: true}).
HEALTHCHECK --interval=30s --timeout=3s --start-period=60s --retries=3 \
  CMD ["python", "-c", "import urllib.request as u; a = open('/proc/1/cmdline').read().split('\\0'); p = a[a.index('--port') + 1] if '--port' in a else '3000'; u.urlopen('http://127.0.0.1:%s/healthz' % p, timeout=2)"]
CMD ["chsm", "serve", "--http", "--host", "0.0.0.0", "--port", "3000"]
