"""Providers: routing (which can serve a model), failover (try them in order), the upstream call and its
transport, the wire formats (one module each, listed in registry.py) and the usage they normalize."""
