# Django 3.2's ORM on the benchmark's database (bench/orm.ts made it): the same two queries,
# timed the same way (best of the rounds, microseconds per query), printed as JSON.
#
# Usage: python3 bench/orm.py sqlite <file> | postgresql '<json of HOST, PORT, NAME, USER>'
import json
import sys
import time

import django
from django.conf import settings

kind, target = sys.argv[1], sys.argv[2]
database = (
    {'ENGINE': 'django.db.backends.sqlite3', 'NAME': target}
    if kind == 'sqlite'
    else dict(json.loads(target), ENGINE='django.db.backends.postgresql')
)
settings.configure(
    DATABASES={'default': database},
    INSTALLED_APPS=[],
    USE_TZ=True,
    DEFAULT_AUTO_FIELD='django.db.models.AutoField',
)
django.setup()

from django.db import models  # noqa: E402


class Author(models.Model):
    name = models.CharField(max_length=100)

    class Meta:
        app_label = 'bench'
        db_table = 'bench_author'


class Post(models.Model):
    title = models.CharField(max_length=200)
    body = models.TextField()
    author = models.ForeignKey(Author, models.CASCADE)
    views = models.IntegerField()
    published = models.BooleanField()

    class Meta:
        app_label = 'bench'
        db_table = 'bench_post'


def timed(fn, n, rounds):
    """Best wall and CPU (this process) microseconds per call over the rounds."""
    for i in range(n):
        fn(i)
    wall = cpu = float('inf')
    for _ in range(rounds):
        start, start_cpu = time.perf_counter_ns(), time.process_time_ns()
        for i in range(n):
            fn(i)
        wall = min(wall, (time.perf_counter_ns() - start) / n / 1000)
        cpu = min(cpu, (time.process_time_ns() - start_cpu) / n / 1000)
    return {'wall': wall, 'cpu': cpu}


rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 5
get = timed(lambda i: Post.objects.get(pk=1 + i % 10000), 2000, rounds)
listed = timed(lambda i: list(Post.objects.filter(author_id=1 + i % 100).order_by('id')), 200, rounds)
json.dump({'get': get, 'list': listed}, sys.stdout)
