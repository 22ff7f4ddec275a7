# Step 7: nullability: pages becomes NOT NULL (its NULLs take the default), email nullable.
from django.db import models


class Writer(models.Model):
    full_name = models.CharField(max_length=100)
    email = models.CharField(max_length=100, null=True)
    country = models.CharField(max_length=2, default='FR')
    mentor = models.ForeignKey('self', models.SET_NULL, null=True)


class Label(models.Model):
    name = models.CharField(max_length=50)


class Book(models.Model):
    heading = models.CharField(max_length=200)
    pages = models.IntegerField(default=0)
    in_print = models.BooleanField(default=True)
    rating = models.IntegerField(default=3)
    author = models.ForeignKey(Writer, models.CASCADE, null=True)
    tags = models.ManyToManyField(Label)
