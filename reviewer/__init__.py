"""arch-review: reviews pull requests the way a senior microservices architect would."""

__version__ = "0.1.0"
