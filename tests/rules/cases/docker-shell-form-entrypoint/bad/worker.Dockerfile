FROM python:3.12-slim
COPY . /app
RUN pip install --no-cache-dir /app
USER 10001
# expect-next: docker-shell-form-entrypoint
ENTRYPOINT celery -A worker.app worker --loglevel=info
CMD ["--concurrency=4"]
