# Step 24: the model with every kind of column deleted, the decimal removed.
from django.db import models


class Writer(models.Model):
    full_name = models.CharField(max_length=100)
    email = models.CharField(max_length=100, null=True, unique=True)
    nation = models.CharField(max_length=2, default='FR')
    mentor = models.ForeignKey('self', models.SET_NULL, null=True)



class Volume(models.Model):
    heading = models.CharField(max_length=255, db_index=True)
    pages = models.IntegerField(default=0)
    rating = models.PositiveIntegerField(default=3)
    writer = models.ForeignKey(Writer, models.CASCADE, default=1)

    class Meta:
        indexes = [
            models.Index(fields=['rating', '-pages']),
        ]
        constraints = [
            models.UniqueConstraint(fields=['heading', 'writer'], name='unique_heading_author'),
        ]
