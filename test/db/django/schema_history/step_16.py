# Step 16: fields renamed that indexes and constraints name (a ForeignKey among them).
from django.db import models


class Writer(models.Model):
    full_name = models.CharField(max_length=100)
    email = models.CharField(max_length=100, null=True, unique=True)
    nation = models.CharField(max_length=2, default='FR')
    mentor = models.ForeignKey('self', models.SET_NULL, null=True)

    class Meta:
        unique_together = [('full_name', 'nation')]
        db_table = 'writers'


class Shelf(models.Model):
    name = models.CharField(max_length=30)
    owner = models.OneToOneField(Writer, models.CASCADE, null=True)


class Book(models.Model):
    heading = models.CharField(max_length=255, db_index=True)
    pages = models.IntegerField(default=0)
    rating = models.PositiveIntegerField(default=3)
    writer = models.ForeignKey(Writer, models.CASCADE, null=True)
    shelves = models.ManyToManyField(Shelf)

    class Meta:
        indexes = [
            models.Index(fields=['writer', '-heading'], name='book_author_heading_idx'),
            models.Index(fields=['rating', '-pages']),
        ]
        constraints = [
            models.UniqueConstraint(fields=['heading', 'writer'], name='unique_heading_author'),
            models.CheckConstraint(check=models.Q(pages__gte=0), name='pages_gte_0'),
        ]
