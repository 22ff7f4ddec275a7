# Step 8: types: a longer varchar, a positive integer (with its CHECK), varchar to text.
from django.db import models


class Writer(models.Model):
    full_name = models.CharField(max_length=100)
    email = models.CharField(max_length=100, null=True)
    country = models.CharField(max_length=2, default='FR')
    mentor = models.ForeignKey('self', models.SET_NULL, null=True)


class Label(models.Model):
    name = models.TextField()


class Book(models.Model):
    heading = models.CharField(max_length=255)
    pages = models.IntegerField(default=0)
    in_print = models.BooleanField(default=True)
    rating = models.PositiveIntegerField(default=3)
    author = models.ForeignKey(Writer, models.CASCADE, null=True)
    tags = models.ManyToManyField(Label)
