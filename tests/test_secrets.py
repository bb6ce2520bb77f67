"""The one classifier of committed secrets: placeholders and local defaults are not secrets."""

from __future__ import annotations

import pytest

from reviewer.sources.secrets import is_placeholder, literal_secret, url_password


@pytest.mark.parametrize("value", ["changeme", "change-me", "<secret>", "example", "password", "secret", "dev",
                                   "test", "postgres", "dev-secret-do-not-use", "your-api-key-here", "xoxb-test",
                                   "sk_test_xxxxxxxx", "ghp_your_token", "minioadmin", "GOOGLE_API_KEY_VAL"])
def test_placeholders_and_local_defaults(value):
    assert is_placeholder(value)


@pytest.mark.parametrize("value", ["app-pass-123", "hunter2", "s3cr3t-Pa55", "a-very-long-signing-secret",
                                   "sk_test_4eC39HqLyjWDarjtT1zdp7dc", "dev-signing-key-42", "Kx82-pQ7r-Lm"])
def test_real_looking_values_are_secrets(value):
    assert not is_placeholder(value)


def test_a_password_equal_to_its_user_is_a_placeholder():
    assert literal_secret("POSTGRES_PASSWORD", "orders", {"POSTGRES_USER": "orders"}) is None
    assert literal_secret("RABBITMQ_DEFAULT_PASS", "shop", {"RABBITMQ_DEFAULT_USER": "shop"}) is None
    assert literal_secret("POSTGRES_PASSWORD", "orders", {"POSTGRES_USER": "app"}) is not None
    assert url_password("amqp://guest:guest@broker:5672//") is None
    assert url_password("postgresql://orders:Tr0ub4dor3@db/orders") == "Tr0ub4dor3"
    assert url_password("postgresql://orders:$(DB_PASSWORD)@db/orders") is None
