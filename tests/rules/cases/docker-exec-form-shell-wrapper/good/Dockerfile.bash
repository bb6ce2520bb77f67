FROM python:3.12-slim
COPY . /app
RUN pip install --no-cache-dir /app
USER 10001
# bash (5.1+) execs the last simple command of -c itself, so uvicorn becomes PID 1
CMD ["bash", "-c", "alembic upgrade head && uvicorn app.main:app --host 0.0.0.0"]
