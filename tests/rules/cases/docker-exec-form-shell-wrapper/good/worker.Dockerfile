FROM python:3.12-slim
RUN apt-get update && apt-get install -y --no-install-recommends dumb-init && rm -rf /var/lib/apt/lists/*
COPY . /app
USER 10001
# dumb-init forwards signals to the whole process group
ENTRYPOINT ["dumb-init", "--"]
CMD ["sh", "-c", "python -m worker.migrate && celery -A worker.app worker"]
