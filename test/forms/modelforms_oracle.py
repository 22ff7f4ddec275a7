"""Cleans and saves submitted data with Django 3.2's own ModelForms and prints what they give.

The forms are the same as test/forms/diff-modelforms.ts declares for tsgi, on the models of
test/forms/oracle_apps/library (test/forms/fixtures/library.ts for tsgi), in an in-memory SQLite
database seeded as the TypeScript side seeds its own. Reads a JSON list of cases on stdin:
{"form", "data"?, "instance"?: pk, "html"?: bool}. Each case runs in a transaction that is rolled
back. Prints, per case: {"valid", "errors": {field: [codes]}, "messages": {field: [messages]},
"cleaned": {field: tagged value}, "saved"?: {column: tagged value, "genres"?: [pks]},
"html"?: form.as_p()}.
"""
import datetime
import decimal
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'oracle_apps'))

import django  # noqa: E402
from django.conf import settings  # noqa: E402

settings.configure(
    USE_TZ=True,
    TIME_ZONE='UTC',
    USE_L10N=False,
    USE_I18N=False,
    DATABASES={'default': {'ENGINE': 'django.db.backends.sqlite3', 'NAME': ':memory:'}},
    INSTALLED_APPS=['library'],
    DEFAULT_AUTO_FIELD='django.db.models.AutoField',
)
django.setup()

from django import forms  # noqa: E402
from django.db import connection, models, transaction  # noqa: E402

from library.models import Book, Chapter, Genre, Review, Writer  # noqa: E402


class BookForm(forms.ModelForm):
    class Meta:
        model = Book
        fields = ['title', 'slug', 'status', 'pages', 'published', 'author', 'genres']


class WriterForm(forms.ModelForm):
    class Meta:
        model = Writer
        fields = '__all__'


class ChapterForm(forms.ModelForm):
    class Meta:
        model = Chapter
        fields = ['book', 'number', 'name']


class SummaryForm(forms.ModelForm):
    class Meta:
        model = Book
        exclude = ['genres', 'author', 'published']
        labels = {'title': 'Name of the book'}
        help_texts = {'summary': 'A line or two.'}
        error_messages = {'title': {'required': 'Name it.'}}


class ReviewForm(forms.ModelForm):
    class Meta:
        model = Review
        fields = ['book', 'reviewer', 'genres', 'slug', 'title', 'code', 'posted', 'stamped']


class ReviewUndatedForm(forms.ModelForm):
    class Meta:
        model = Review
        fields = ['book', 'reviewer', 'slug', 'title', 'code']


class ReviewMessagesForm(forms.ModelForm):
    class Meta:
        model = Review
        fields = ['book', 'reviewer', 'slug', 'title', 'posted']
        error_messages = {'slug': {'unique_for_date': 'Taken that day.'}, 'reviewer': {'invalid_choice': 'Not a reviewer.'}}


GenreFormSet = forms.modelformset_factory(Genre, fields=['name'], extra=1, can_delete=True)
WriterFormSet = forms.modelformset_factory(Writer, fields=['name'], extra=2)
ChapterFormSet = forms.inlineformset_factory(Book, Chapter, fields=['number', 'name'], extra=1)
FORMSETS = {'Genres': GenreFormSet, 'Writers': WriterFormSet, 'Chapters': ChapterFormSet}

FORMS = {
    'Book': BookForm, 'Writer': WriterForm, 'Chapter': ChapterForm, 'Summary': SummaryForm,
    'Review': ReviewForm, 'ReviewUndated': ReviewUndatedForm, 'ReviewMessages': ReviewMessagesForm,
}
MODELS = {
    'Book': Book, 'Writer': Writer, 'Chapter': Chapter, 'Summary': Book,
    'Review': Review, 'ReviewUndated': Review, 'ReviewMessages': Review,
}


def seed():
    with connection.schema_editor() as editor:
        for model in (Writer, Genre, Book, Chapter, Review):
            editor.create_model(model)
    ann = Writer.objects.create(name='Ann')
    bob = Writer.objects.create(name='Bob', born=1950)
    Genre.objects.create(name='Crime')
    poetry = Genre.objects.create(name='Poetry')
    odes = Book.objects.create(title='Odes', slug='odes', status='p', pages=80, author=ann)
    odes.genres.set([poetry])
    Chapter.objects.create(book=odes, number=1, name='First')
    Book.objects.create(title='Drafty', slug='drafty', status='d', author=bob)
    Book.objects.create(title='Elegies', slug='elegies', status='p', author=bob).genres.set([poetry])
    Review.objects.create(
        book=odes, reviewer=bob, slug='first', title='Great', code='X1', posted=datetime.date(2024, 1, 15),
        stamped=datetime.datetime(2024, 3, 1, 10, 0, tzinfo=datetime.timezone.utc),
    )


def tag(value):
    if isinstance(value, models.Model):
        return {'$pk': value.pk}
    if isinstance(value, models.QuerySet):
        return [tag(v) for v in value]
    if isinstance(value, (list, tuple)):
        return [tag(v) for v in value]
    if isinstance(value, datetime.date):
        return {'$date': value.isoformat()}
    if isinstance(value, decimal.Decimal):
        return {'$decimal': str(value)}
    return value


def saved(obj):
    out = {}
    for field in obj._meta.concrete_fields:
        if not field.editable or isinstance(field, models.AutoField):
            continue
        out[field.column] = tag(getattr(obj, field.attname))
    if isinstance(obj, (Book, Review)):
        out['genres'] = sorted(g.pk for g in obj.genres.all())
    return out


def state():
    """The rows the formsets edit, after a save."""
    return {
        'genres': [[g.pk, g.name] for g in Genre.objects.order_by('pk')],
        'writers': [[w.pk, w.name] for w in Writer.objects.order_by('pk')],
        'chapters': [[c.pk, c.book_id, c.number, c.name] for c in Chapter.objects.order_by('pk')],
    }


def run_formset(case):
    from django.utils.datastructures import MultiValueDict
    cls = FORMSETS[case['formset']]
    kwargs = {}
    if case['formset'] == 'Chapters':
        kwargs['instance'] = Book.objects.get(pk=case['instance']) if case.get('instance') is not None else Book()
    if case.get('data') is not None:
        kwargs['data'] = MultiValueDict({k: v if isinstance(v, list) else [v] for k, v in case['data'].items()})
    formset = cls(**kwargs)
    out = {}
    if formset.is_bound:
        out['valid'] = formset.is_valid()
        out['forms'] = [{k: [e.code or '' for e in v.as_data()] for k, v in f.errors.items()} for f in formset.forms]
        out['nonform'] = [e.code or '' for e in formset.non_form_errors().as_data()]
        out['nonform_messages'] = list(formset.non_form_errors())
        if out['valid']:
            formset.save()
            out['state'] = state()
    if case.get('html'):
        out['html'] = str(formset.as_p())
    return out


def run(case):
    if 'formset' in case:
        return run_formset(case)
    model = MODELS[case['form']]
    form_class = FORMS[case['form']]
    instance = model.objects.get(pk=case['instance']) if case.get('instance') is not None else None
    kwargs = {'instance': instance}
    if case.get('data') is not None:
        from django.utils.datastructures import MultiValueDict
        data = MultiValueDict({k: v if isinstance(v, list) else [v] for k, v in case['data'].items()})
        kwargs['data'] = data
    form = form_class(**kwargs)
    out = {}
    if form.is_bound:
        out['valid'] = form.is_valid()
        out['errors'] = {k: [e.code or '' for e in v.as_data()] for k, v in form.errors.items()}
        out['messages'] = {k: list(v) for k, v in form.errors.items()}
        out['cleaned'] = {k: tag(v) for k, v in form.cleaned_data.items()}
        if out['valid']:
            out['saved'] = saved(form.save())
    if case.get('html'):
        out['html'] = str(form.as_p())
    return out


def main():
    seed()
    cases = json.load(sys.stdin)
    results = []
    for case in cases:
        with transaction.atomic():
            results.append(run(case))
            transaction.set_rollback(True)
    json.dump(results, sys.stdout)


main()
