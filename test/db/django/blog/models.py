# The models of the ORM differential test, as a Django 3.2 app: the same declarations as
# test/db/fixtures/diff-models.ts (names, types, relations, on_delete, ordering).
from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=100)
    email = models.CharField(max_length=100, unique=True)
    age = models.IntegerField(null=True)

    class Meta:
        app_label = 'blog'
        ordering = ['name']


class Category(models.Model):
    name = models.CharField(max_length=50)
    parent = models.ForeignKey('self', models.CASCADE, null=True, related_name='children')

    class Meta:
        app_label = 'blog'


class Tag(models.Model):
    name = models.CharField(max_length=50, unique=True)

    class Meta:
        app_label = 'blog'
        ordering = ['name']


class Post(models.Model):
    title = models.CharField(max_length=200)
    slug = models.SlugField(null=True)
    body = models.TextField(default='')
    author = models.ForeignKey(Author, models.CASCADE, related_name='posts')
    category = models.ForeignKey(Category, models.SET_NULL, null=True)
    views = models.IntegerField(default=0)
    rating = models.DecimalField(max_digits=5, decimal_places=2, null=True)
    published = models.BooleanField(default=False)
    published_at = models.DateTimeField(null=True)
    day = models.DateField(null=True)
    data = models.JSONField(null=True)
    tags = models.ManyToManyField(Tag, related_name='posts')

    class Meta:
        app_label = 'blog'


class Comment(models.Model):
    post = models.ForeignKey(Post, models.CASCADE, related_name='comments')
    author = models.ForeignKey(Author, models.PROTECT, null=True)
    text = models.TextField()

    class Meta:
        app_label = 'blog'


class Profile(models.Model):
    author = models.OneToOneField(Author, models.CASCADE)
    bio = models.TextField(default='')

    class Meta:
        app_label = 'blog'
