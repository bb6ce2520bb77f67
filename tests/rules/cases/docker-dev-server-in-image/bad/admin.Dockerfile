FROM python:3.12-slim
COPY . /app
RUN pip install --no-cache-dir flask==3.0.3
USER 10001
# expect-next: docker-dev-server-in-image
CMD exec flask --app admin.app run --host 0.0.0.0
