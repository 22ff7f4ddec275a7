"""Cleans submitted data with Django 3.2's own forms and formsets and prints what they give.

The forms are the same as test/forms/diff-forms.ts declares for tsgi (field for field), the
formsets as test/forms/diff-formsets.ts. Reads a JSON list of cases on stdin: {"form", "data":
{name: value or [values]}, "files"?: {name: {"name", "content"}}, "html"?: bool}, or {"formset",
"data"?, "initial"?, "prefix"?, "html"?} for a formset. Prints, for each form case: {"valid",
"cleaned": {field: tagged value}, "errors": {field: [codes]}, "messages": {field: [messages]},
"html"?: form.as_p()}; for each formset case what run_formset() says.
"""
import datetime
import decimal
import json
import os
import sys
import time
import uuid

os.environ['TZ'] = 'America/Chicago'
time.tzset()

import django  # noqa: E402
from django.conf import settings  # noqa: E402

settings.configure(USE_TZ=True, TIME_ZONE='America/Chicago', USE_L10N=False, USE_I18N=False)
django.setup()

from django import forms  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.validators import RegexValidator  # noqa: E402
from django.utils.datastructures import MultiValueDict  # noqa: E402

CHOICES = [('r', 'Red'), ('g', 'Green'), ('Dark', [('k', 'Black'), ('n', 'Navy')]), (1, 'One')]


class TextForm(forms.Form):
    name = forms.CharField(max_length=10, min_length=2)
    nick = forms.CharField(required=False, strip=False)
    empty_null = forms.CharField(required=False, empty_value=None)
    email = forms.EmailField(required=False)
    url = forms.URLField(required=False)
    slug = forms.SlugField(required=False)
    uslug = forms.SlugField(required=False, allow_unicode=True)
    code = forms.RegexField(r'^[A-Z]{3}\d*$', required=False)
    ip = forms.GenericIPAddressField(required=False)
    ip4 = forms.GenericIPAddressField(required=False, protocol='ipv4')
    ip_unpack = forms.GenericIPAddressField(required=False, unpack_ipv4=True)
    uid = forms.UUIDField(required=False)
    meta = forms.JSONField(required=False)
    digits = forms.CharField(required=False, validators=[RegexValidator(r'^\d+$', code='digits')],
                             error_messages={'max_length': 'Too long: %(limit_value)d max, got %(show_value)d.'},
                             max_length=4)


class NumberForm(forms.Form):
    count = forms.IntegerField(min_value=0, max_value=100)
    opt = forms.IntegerField(required=False)
    ratio = forms.FloatField(required=False, min_value=-1.5)
    price = forms.DecimalField(required=False, max_digits=5, decimal_places=2)
    amount = forms.DecimalField(required=False, min_value=decimal.Decimal('0.1'))
    agree = forms.BooleanField(required=False)
    must = forms.BooleanField(required=False)
    maybe = forms.NullBooleanField(required=False)


class DateForm(forms.Form):
    day = forms.DateField(required=False)
    at = forms.TimeField(required=False)
    when = forms.DateTimeField(required=False)
    custom = forms.DateField(required=False, input_formats=['%d.%m.%Y', '%Y%m%d'])
    took = forms.DurationField(required=False)
    split = forms.SplitDateTimeField(required=False)
    needed = forms.DateField()


class ChoiceForm(forms.Form):
    color = forms.ChoiceField(choices=CHOICES)
    opt_color = forms.ChoiceField(choices=CHOICES, required=False)
    number = forms.TypedChoiceField(choices=[(1, 'One'), (2, 'Two'), ('x', 'Bad')], coerce=int, required=False)
    number_none = forms.TypedChoiceField(choices=[(1, 'One')], coerce=int, required=False, empty_value=None)
    colors = forms.MultipleChoiceField(choices=CHOICES, required=False)
    needed = forms.MultipleChoiceField(choices=CHOICES)
    numbers = forms.TypedMultipleChoiceField(choices=[(1, 'One'), (2, 'Two'), ('x', 'Bad')], coerce=int, required=False)


class FileForm(forms.Form):
    doc = forms.FileField(max_length=12)
    extra = forms.FileField(required=False, allow_empty_file=True)


class HookForm(forms.Form):
    password = forms.CharField()
    confirm = forms.CharField()
    age = forms.IntegerField(required=False)

    def clean_age(self):
        age = self.cleaned_data['age']
        if age is not None and age < 18:
            raise forms.ValidationError('Too young: %(age)s.', code='too_young', params={'age': age})
        return age

    def clean(self):
        data = super().clean()
        if data.get('password') and data.get('password') != data.get('confirm'):
            self.add_error('confirm', forms.ValidationError('No match.', code='mismatch'))
            raise forms.ValidationError('Check the passwords.', code='passwords')
        return data


class PrefixForm(forms.Form):
    title = forms.CharField(help_text='A <b>short</b> title', label='Title of it')
    hidden = forms.CharField(widget=forms.HiddenInput, required=False)
    notes = forms.CharField(widget=forms.Textarea, required=False)
    kind = forms.ChoiceField(widget=forms.RadioSelect, choices=[('a', 'A'), ('b', 'B')], required=False)
    tags = forms.MultipleChoiceField(widget=forms.CheckboxSelectMultiple, choices=[('x', 'X'), ('y', 'Y')], required=False)
    secret = forms.CharField(widget=forms.PasswordInput, required=False)
    when = forms.DateTimeField(required=False, initial=datetime.datetime(2020, 1, 2, 3, 4, 5))


FORMS = {c.__name__: c for c in [TextForm, NumberForm, DateForm, ChoiceForm, FileForm, HookForm, PrefixForm]}


class ArticleForm(forms.Form):
    title = forms.CharField(max_length=20)
    pub_date = forms.DateField(required=False)


class UniqueTitles(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        titles = []
        for form in self.forms:
            if self.can_delete and self._should_delete_form(form):
                continue
            title = form.cleaned_data.get('title')
            if title in titles:
                raise forms.ValidationError('Articles in a set must have distinct titles.', code='duplicate')
            titles.append(title)


FORMSETS = {
    'Basic': forms.formset_factory(ArticleForm),
    'Full': forms.formset_factory(ArticleForm, extra=2, can_delete=True, can_order=True, max_num=3,
                                  validate_max=True, min_num=1, validate_min=True),
    'DeleteInitialOnly': forms.formset_factory(ArticleForm, can_delete=True, can_delete_extra=False, extra=2),
    'Capped': forms.formset_factory(ArticleForm, extra=5, max_num=2, absolute_max=3),
    'Unique': forms.formset_factory(ArticleForm, formset=UniqueTitles, extra=0, can_delete=True),
    'MinOnly': forms.formset_factory(ArticleForm, extra=0, min_num=2, validate_min=True),
}


def tag(value):
    if value is None:
        return {'t': 'none'}
    if isinstance(value, bool):
        return {'t': 'bool', 'v': value}
    if isinstance(value, (int, float)):
        return {'t': 'number', 'v': value}
    if isinstance(value, decimal.Decimal):
        return {'t': 'decimal', 'v': str(value)}
    if isinstance(value, datetime.datetime):
        return {'t': 'datetime', 'v': value.isoformat()}
    if isinstance(value, datetime.date):
        return {'t': 'date', 'v': value.isoformat()}
    if isinstance(value, datetime.time):
        return {'t': 'time', 'v': value.isoformat()}
    if isinstance(value, datetime.timedelta):
        return {'t': 'duration', 'v': (value.days * 86400 + value.seconds) * 1000000 + value.microseconds}
    if isinstance(value, uuid.UUID):
        return {'t': 'str', 'v': str(value)}
    if isinstance(value, str):
        return {'t': 'str', 'v': str(value)}
    if isinstance(value, list):
        return {'t': 'list', 'v': [tag(v) for v in value]}
    if isinstance(value, dict):
        return {'t': 'json', 'v': json.dumps(value, sort_keys=True)}
    if hasattr(value, 'size') and hasattr(value, 'name'):
        return {'t': 'file', 'name': value.name, 'size': value.size}
    return {'t': 'other', 'v': repr(value)}


def run(case):
    data = MultiValueDict()
    for key, value in case.get('data', {}).items():
        data.setlist(key, value if isinstance(value, list) else [value])
    files = MultiValueDict()
    for key, spec in case.get('files', {}).items():
        files[key] = SimpleUploadedFile(spec['name'], spec['content'].encode('utf-8'))
    if case.get('unbound'):
        form = FORMS[case['form']](prefix=case.get('prefix'))
    else:
        form = FORMS[case['form']](data=data, files=files, prefix=case.get('prefix'))
    valid = form.is_valid()
    out = {
        'valid': valid,
        'cleaned': {k: tag(v) for k, v in getattr(form, 'cleaned_data', {}).items()},
        'errors': {k: [e.code or '' for e in v] for k, v in form.errors.as_data().items()},
        'messages': {k: list(v) for k, v in form.errors.items()},
    }
    if case.get('html'):
        out['html'] = str(form.as_p())
        out['table'] = str(form.as_table())
        out['ul'] = str(form.as_ul())
    return out


def codes_and_messages(errors):
    return {'codes': [e.code or '' for e in errors.as_data()], 'messages': list(errors)}


def run_formset(case):
    cls = FORMSETS[case['formset']]
    kwargs = {'prefix': case.get('prefix'), 'initial': case.get('initial')}
    if 'data' in case:
        data = MultiValueDict()
        for key, value in case['data'].items():
            data.setlist(key, value if isinstance(value, list) else [value])
        kwargs['data'] = data
    formset = cls(**kwargs)
    valid = formset.is_valid()
    out = {
        'valid': valid,
        'total': formset.total_form_count(),
        'initial_count': formset.initial_form_count(),
        'forms': [{
            'errors': {k: [e.code or '' for e in v] for k, v in form.errors.as_data().items()},
            'messages': {k: list(v) for k, v in form.errors.items()},
            'cleaned': {k: tag(v) for k, v in getattr(form, 'cleaned_data', {}).items()},
            'changed': form.has_changed(),
        } for form in formset.forms],
        'non_form_errors': codes_and_messages(formset.non_form_errors()),
        'total_error_count': formset.total_error_count(),
        'deleted': [formset.forms.index(f) for f in formset.deleted_forms],
        'has_changed': formset.has_changed(),
    }
    if valid and formset.can_order:
        out['ordered'] = [formset.forms.index(f) for f in formset.ordered_forms]
    if case.get('html'):
        out['html'] = str(formset.as_p())
        out['table'] = str(formset.as_table())
        out['management'] = str(formset.management_form)
        if formset.can_delete_extra or not formset.can_delete:
            # Django 3.2's empty_form fails (a TypeError) with can_delete_extra=False; 4.1 fixed it.
            out['empty_form'] = str(formset.empty_form.as_p())
    return out


def main():
    cases = json.load(sys.stdin)
    json.dump([run_formset(c) if 'formset' in c else run(c) for c in cases], sys.stdout)


main()
