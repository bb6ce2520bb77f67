# checkov:skip=CKV_DOCKER_3: GitHub runs Docker actions as root and mounts the workspace owned by root
FROM python:3.12-slim
COPY . /action
RUN pip install --no-cache-dir /action
ENTRYPOINT ["python", "-m", "action"]
