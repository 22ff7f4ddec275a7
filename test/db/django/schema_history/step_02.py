# Step 2: fields added with a default (the existing rows get it).
from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=100)
    email = models.CharField(max_length=100)
    country = models.CharField(max_length=2, default='FR')


class Tag(models.Model):
    name = models.CharField(max_length=50)


class Book(models.Model):
    title = models.CharField(max_length=200)
    pages = models.IntegerField(null=True)
    in_print = models.BooleanField(default=True)
    rating = models.IntegerField(default=3)
