"""The rate limit per token is counted in the cache every worker shares (Redis in production):
two processes serving the same token add up their requests."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import redis
from django.core.cache import caches
from django.test import override_settings
from rest_framework.test import APIRequestFactory

from ptsm.accounts.models import Role
from ptsm.api.models import ApiToken
from ptsm.api.throttling import TokenRateThrottle
from tests.factories import member
from tests.redis_db import redis_test_url

from .conftest import API, api_client, problem

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
TEST_CACHE_URL = redis_test_url(14)
REDIS_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": TEST_CACHE_URL,
        "KEY_PREFIX": "ptsm-test",
    }
}


@pytest.fixture
def redis_cache():
    redis.Redis.from_url(TEST_CACHE_URL).flushdb()
    with override_settings(CACHES=REDIS_CACHE, PTSM_API_RATE="3/min"):
        yield
    redis.Redis.from_url(TEST_CACHE_URL).flushdb()


def throttle_of_another_process() -> TokenRateThrottle:
    """A throttle with its own connection to the cache, as in another gunicorn worker."""
    throttle = TokenRateThrottle()
    throttle.cache = caches.create_connection("default")
    return throttle


def test_two_workers_share_a_tokens_count(small, redis_cache):
    user = member(small["a"], Role.READER)
    token = ApiToken.objects.create(
        user=user, name="Outil", prefix="ptsm_x", key_sha256="0" * 64, expires_on="2099-01-01"
    )
    other = ApiToken.objects.create(
        user=user, name="Autre", prefix="ptsm_y", key_sha256="1" * 64, expires_on="2099-01-01"
    )
    first, second = throttle_of_another_process(), throttle_of_another_process()
    assert first.cache is not second.cache

    def request(with_token):
        request = APIRequestFactory().get(API + "projets/")
        request.user, request.auth = user, with_token
        return request

    answers = [throttle.allow_request(request(token), None) for throttle in (first, second, first)]
    assert answers == [True, True, True]
    assert second.allow_request(request(token), None) is False  # the 4th, whichever worker
    assert 0 < second.wait() <= 60
    assert first.allow_request(request(token), None) is False
    assert first.allow_request(request(other), None) is True  # another token, another count


def test_over_the_limit_the_api_answers_429_in_french_with_retry_after(small, redis_cache):
    user = member(small["a"], Role.READER)
    client = api_client(user)
    assert [client.get(API + "projets/").status_code for _ in range(3)] == [200, 200, 200]
    limited = client.get(API + "projets/")
    body = problem(limited, 429)
    assert body["title"] == "Trop de requêtes"
    assert "Requête ralentie" in body["detail"], body
    assert 0 < int(limited["Retry-After"]) <= 60
    keys = redis.Redis.from_url(TEST_CACHE_URL).keys("ptsm-test:*throttle_jeton_token-*")
    assert len(keys) == 1  # the count is in Redis, not in this process's memory


def test_the_cache_is_redis_when_a_redis_url_is_set(tmp_path):
    def cache_backend(**env) -> str:
        environment = {k: v for k, v in os.environ.items() if k not in ("CACHE_URL", "REDIS_URL")}
        code = (
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.CACHES['default']['BACKEND'], settings.CACHES['default'].get('LOCATION'))"
        )
        return subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env={**environment, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()

    assert cache_backend(REDIS_URL="redis://cache.interne:6379/0") == (
        "django.core.cache.backends.redis.RedisCache redis://cache.interne:6379/0"
    )
    assert cache_backend(
        REDIS_URL="redis://cache.interne:6379/0", CACHE_URL="redis://autre:6379/2"
    ).endswith("redis://autre:6379/2")
    assert cache_backend().startswith("django.core.cache.backends.locmem.LocMemCache")
