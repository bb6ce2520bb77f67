import logging

logging.basicConfig(level=logging.INFO)  # the worker is its own process: its own setup


def run():
    logging.getLogger(__name__).info("worker up")
