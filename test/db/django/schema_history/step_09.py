# Step 9: indexes: a db_index field, a named Meta index, an unnamed one (named by Django).
from django.db import models


class Writer(models.Model):
    full_name = models.CharField(max_length=100)
    email = models.CharField(max_length=100, null=True)
    country = models.CharField(max_length=2, default='FR')
    mentor = models.ForeignKey('self', models.SET_NULL, null=True)


class Label(models.Model):
    name = models.TextField()


class Book(models.Model):
    heading = models.CharField(max_length=255, db_index=True)
    pages = models.IntegerField(default=0)
    in_print = models.BooleanField(default=True)
    rating = models.PositiveIntegerField(default=3)
    author = models.ForeignKey(Writer, models.CASCADE, null=True)
    tags = models.ManyToManyField(Label)

    class Meta:
        indexes = [
            models.Index(fields=['author', '-heading'], name='book_author_heading_idx'),
            models.Index(fields=['rating', '-pages']),
        ]
