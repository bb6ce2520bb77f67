import redis
from redis.asyncio import Redis

sync_client = redis.Redis(host="redis", port=6379)
client = Redis(host="redis", port=6379)
