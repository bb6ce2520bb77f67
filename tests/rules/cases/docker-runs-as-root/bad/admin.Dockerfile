FROM python:3.12-slim
RUN useradd --system --uid 10001 app
USER app
COPY . /app
RUN pip install --user --no-cache-dir /app
# expect-next: docker-runs-as-root
USER root
CMD ["python", "-m", "admin"]
