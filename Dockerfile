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

# A CPU build of torch first, from PyTorch's CPU index, so that `torch>=2.6`
# in pyproject.toml is met and pip never pulls the CUDA build. The ONNX export
# cache goes to a folder removed in the same layer.
RUN pip install --index-url https://download.pytorch.org/whl/cpu "torch==2.13.0" \
    && pip install . \
    && CHSM_CACHE_DIR=/tmp/chsm-cache chsm index build \
    && rm -rf /tmp/chsm-cache \
    && useradd --system --uid 10001 --home-dir /app chsm \
    && mkdir -p /data \
    && chown -R chsm /data

USER 10001
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=3s --start-period=60s \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:3000/healthz', timeout=2)"]
CMD ["chsm", "serve", "--http", "--host", "0.0.0.0", "--port", "3000"]
