# chsm-bot: the Slack bot in HTTP mode, with its corpus and a prebuilt index.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    HF_HUB_OFFLINE=1 \
    CHSM_CORPUS_DIR=/app/corpus \
    CHSM_INDEX_DIR=/app/index \
    CHSM_DATA_DIR=/data

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY corpus ./corpus

# torch==2.13.0+cpu (pinned in pyproject.toml) comes from PyTorch's CPU index.
RUN pip install --extra-index-url https://download.pytorch.org/whl/cpu . \
    && chsm index build \
    && useradd --system --uid 10001 --home-dir /app chsm \
    && mkdir -p /data \
    && chown -R chsm /data

USER 10001
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=3s --start-period=60s \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:3000/healthz', timeout=2)"]
CMD ["chsm", "serve", "--http", "--host", "0.0.0.0", "--port", "3000"]
