from celery import Celery

app = Celery("billing", broker="redis://redis:6379/0")
