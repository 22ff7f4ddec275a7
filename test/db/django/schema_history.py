# The Django side of test/db/migrations/schema-history.test.ts: brings the app `shelf` of a
# project folder to one step of the model history (schema_history/step_NN.py), as a user does:
# the step's models become shelf/models.py, then `makemigrations shelf` (answering yes to every
# "Did you rename ...?" question, as the user who renamed would) and `migrate` on the project's
# SQLite file. Usage: python3 schema_history.py PROJECT_DIR STEP; with `--to TARGET` instead of
# STEP, only `migrate shelf TARGET` (a migration's number, or zero: backwards). The environment
# variable SCHEMA_HISTORY_DATABASE (Django's DATABASES entry as JSON) replaces the SQLite file
# (PostgreSQL).
import io
import json
import os
import shutil
import sys

project = sys.argv[1]
target = sys.argv[3] if sys.argv[2] == '--to' else None
here = os.path.dirname(os.path.abspath(__file__))
app = os.path.join(project, 'shelf')
if target is None:
    os.makedirs(os.path.join(app, 'migrations'), exist_ok=True)
    for name in ('__init__.py', os.path.join('migrations', '__init__.py')):
        open(os.path.join(app, name), 'a').close()
    step = int(sys.argv[2])
    shutil.copyfile(os.path.join(here, 'schema_history', 'step_%02d.py' % step), os.path.join(app, 'models.py'))
sys.path.insert(0, project)

import django  # noqa: E402
from django.conf import settings  # noqa: E402

settings.configure(
    DATABASES={
        'default': json.loads(os.environ.get('SCHEMA_HISTORY_DATABASE') or 'null')
        or {'ENGINE': 'django.db.backends.sqlite3', 'NAME': os.path.join(project, 'db.sqlite3')}
    },
    INSTALLED_APPS=['shelf'],
    DEFAULT_AUTO_FIELD='django.db.models.AutoField',
    USE_TZ=True,
)
django.setup()

from django.core.management import call_command  # noqa: E402

if target is None:
    sys.stdin = io.StringIO('y\n' * 50)
    call_command('makemigrations', 'shelf', interactive=True, verbosity=1)
    call_command('migrate', 'shelf', interactive=False, verbosity=1)
else:
    call_command('migrate', 'shelf', target, interactive=False, verbosity=1)
