BROKER = "redis://redis:6379/0"
