import logging.config


def configure():
    logging.config.dictConfig({"version": 1})
