# Step 5: a model renamed (Author to Writer; the relations to it follow).
from django.db import models


class Writer(models.Model):
    full_name = models.CharField(max_length=100)
    email = models.CharField(max_length=100)
    country = models.CharField(max_length=2, default='FR')
    mentor = models.ForeignKey('self', models.SET_NULL, null=True)


class Tag(models.Model):
    name = models.CharField(max_length=50)


class Book(models.Model):
    heading = models.CharField(max_length=200)
    pages = models.IntegerField(null=True)
    in_print = models.BooleanField(default=True)
    rating = models.IntegerField(default=3)
    author = models.ForeignKey(Writer, models.CASCADE, null=True)
    tags = models.ManyToManyField(Tag)
