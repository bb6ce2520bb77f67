# expect-next: docker-base-image-unpinned
FROM --platform=linux/amd64 python
USER 10001
CMD ["python", "-m", "worker"]
