# Step 12: db_table set on a model others point at, and on a many-to-many target.
from django.db import models


class Writer(models.Model):
    full_name = models.CharField(max_length=100)
    email = models.CharField(max_length=100, null=True, unique=True)
    country = models.CharField(max_length=2, default='FR')
    mentor = models.ForeignKey('self', models.SET_NULL, null=True)

    class Meta:
        unique_together = [('full_name', 'country')]
        db_table = 'writers'


class Label(models.Model):
    name = models.TextField()

    class Meta:
        db_table = 'shelf_labels'


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
        constraints = [
            models.UniqueConstraint(fields=['heading', 'author'], name='unique_heading_author'),
            models.CheckConstraint(check=models.Q(pages__gte=0), name='pages_gte_0'),
        ]
