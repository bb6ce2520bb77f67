"""Seed the local cache with feature flags."""
FLAGS = {"checkout_v2": "on"}
