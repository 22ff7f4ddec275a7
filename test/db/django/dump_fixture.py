# The Django side of test/db/migrations/fixtures.test.ts: makes a few rows of every field kind of
# the blog models (test/db/django/blog) in an in-memory SQLite database through Django 3.2 and
# prints `dumpdata blog` (Django's JSON fixture format), which tsgi must load and dump back the same.
import datetime
import decimal
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import django
from django.conf import settings

settings.configure(
    DEBUG=False,
    USE_TZ=True,
    TIME_ZONE='UTC',
    DATABASES={'default': {'ENGINE': 'django.db.backends.sqlite3', 'NAME': ':memory:'}},
    INSTALLED_APPS=['blog'],
    DEFAULT_AUTO_FIELD='django.db.models.AutoField',
)
django.setup()

from django.core.management import call_command  # noqa: E402

from blog import models  # noqa: E402

call_command('migrate', run_syncdb=True, verbosity=0)
ann = models.Author.objects.create(name='Ann', email='ann@example.com', age=41)
bob = models.Author.objects.create(name='Bob "the builder"', email='bob@example.com')
news = models.Category.objects.create(name='News')
local = models.Category.objects.create(name='Local', parent=news)
python = models.Tag.objects.create(name='python')
web = models.Tag.objects.create(name='web')
first = models.Post.objects.create(
    title='First post',
    slug='first-post',
    body='Line one\nline two, with “quotes” and é',
    author=ann,
    category=local,
    views=12,
    rating=decimal.Decimal('4.50'),
    published=True,
    published_at=datetime.datetime(2021, 3, 4, 5, 6, 7, 891234, tzinfo=datetime.timezone.utc),
    day=datetime.date(2021, 3, 4),
    data={'tags': ['a', 'b'], 'n': 1, 'nested': {'ok': True}},
)
first.tags.set([python, web])
second = models.Post.objects.create(title='Draft', author=bob)
second.tags.set([web])
models.Comment.objects.create(post=first, author=bob, text='Nice.')
models.Comment.objects.create(post=first, text='Anonymous')
models.Profile.objects.create(author=ann, bio='Writes.')
call_command('dumpdata', 'blog', indent=2)
