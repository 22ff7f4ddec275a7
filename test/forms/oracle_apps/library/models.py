"""The models of test/forms/fixtures/library.ts, for the ModelForm differential test."""
import datetime

from django.core.exceptions import ValidationError
from django.db import models


class Writer(models.Model):
    name = models.CharField(max_length=50, unique=True, verbose_name='full name')
    born = models.IntegerField(null=True, blank=True, help_text='The year.')

    class Meta:
        app_label = 'library'
        ordering = ['name']

    def __str__(self):
        return self.name


class Genre(models.Model):
    name = models.CharField(max_length=30)

    class Meta:
        app_label = 'library'
        ordering = ['name']

    def __str__(self):
        return self.name


class Book(models.Model):
    title = models.CharField(max_length=40)
    slug = models.SlugField(max_length=40)
    summary = models.TextField(blank=True, default='')
    status = models.CharField(max_length=1, choices=[('d', 'Draft'), ('p', 'Published')], default='d')
    pages = models.PositiveIntegerField(default=100)
    published = models.DateField(null=True, blank=True)
    author = models.ForeignKey(Writer, on_delete=models.CASCADE, related_name='books')
    genres = models.ManyToManyField(Genre, blank=True)
    added = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = 'library'
        ordering = ['title']
        unique_together = [['author', 'title']]
        constraints = [models.UniqueConstraint(fields=['slug', 'status'], name='library_book_slug_status')]

    def clean(self):
        if self.title == 'Untitled' and self.status == 'p':
            raise ValidationError('A published book needs a title.', code='untitled')

    def __str__(self):
        return self.title


class Chapter(models.Model):
    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name='chapters')
    number = models.PositiveIntegerField()
    name = models.CharField(max_length=40)

    class Meta:
        app_label = 'library'
        ordering = ['number']
        unique_together = [['book', 'number']]


class Review(models.Model):
    book = models.ForeignKey(Book, on_delete=models.CASCADE, limit_choices_to={'status': 'p'})
    reviewer = models.ForeignKey(
        Writer, on_delete=models.CASCADE, related_name='reviews', limit_choices_to=models.Q(born__isnull=False),
    )
    genres = models.ManyToManyField(Genre, blank=True, limit_choices_to=lambda: {'book__status': 'p'})
    slug = models.SlugField(max_length=20, unique_for_date='posted')
    title = models.CharField(max_length=40, unique_for_month='posted')
    code = models.CharField(max_length=10, blank=True, unique_for_year='stamped')
    posted = models.DateField(default=datetime.date(2024, 1, 15))
    stamped = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = 'library'
        ordering = ['id']

    def __str__(self):
        return self.title
