"""Rate limiting per token (per user for the browser's session, per address otherwise).

The count lives in Django's cache, one counter per token and per window of the rate's period
(a minute for "1200/min"), incremented atomically: with the Redis cache of production
(`CACHE_URL` or `REDIS_URL`, see config/settings.py) every worker process and every machine
counts together. Without a shared cache each process counts alone."""

import logging
import math

from django.conf import settings
from django.core.cache import caches
from rest_framework.throttling import SimpleRateThrottle

from .models import ApiToken

logger = logging.getLogger(__name__)


class TokenRateThrottle(SimpleRateThrottle):
    scope = "jeton"
    cache = None  # the default cache, read at each request (settings may change in tests)

    def get_rate(self):
        return settings.PTSM_API_RATE

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken):
            ident = f"token-{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = f"ip-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        ident = self.get_cache_key(request, view)
        if ident is None:
            return True
        cache = self.cache or caches["default"]
        self.now = self.timer()
        window = int(self.now // self.duration)
        self.window_end = (window + 1) * self.duration
        key = f"{ident}_{window}"
        try:
            # add() is a no-op when the key exists; incr() is atomic in Redis (and in the
            # per-process memory cache). The key outlives its window a little, then expires.
            cache.add(key, 0, timeout=self.duration + 60)
            try:
                count = cache.incr(key)
            except ValueError:  # expired between add() and incr()
                cache.add(key, 1, timeout=self.duration + 60)
                count = 1
        except Exception:  # noqa: BLE001 — the cache is down: serve rather than refuse
            logger.warning("API rate limit not checked: the cache does not answer")
            return True
        return count <= self.num_requests

    def wait(self):
        """Seconds until the next window opens (Retry-After)."""
        return max(1, math.ceil(self.window_end - self.now))
