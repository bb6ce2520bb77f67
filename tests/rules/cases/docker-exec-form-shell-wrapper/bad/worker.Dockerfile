FROM python:3.12-slim
COPY . /app
RUN pip install --no-cache-dir /app
USER 10001
ENTRYPOINT ["/bin/sh", "-c"]
# expect-next: docker-exec-form-shell-wrapper
CMD ["celery -A worker.app worker --concurrency ${CONCURRENCY:-4}"]
