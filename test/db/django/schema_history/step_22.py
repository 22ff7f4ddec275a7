# Step 22: the to_field's column longer (the ForeignKey's column follows), a decimal's places, a smaller integer to a larger one.
from decimal import Decimal

from django.db import models


class Writer(models.Model):
    full_name = models.CharField(max_length=100)
    email = models.CharField(max_length=100, null=True, unique=True)
    nation = models.CharField(max_length=2, default='FR')
    mentor = models.ForeignKey('self', models.SET_NULL, null=True)
    score = models.DecimalField(max_digits=5, decimal_places=1, default=Decimal('2.5'))



class Stamp(models.Model):
    id = models.BigAutoField(primary_key=True)
    code = models.CharField(max_length=20, unique=True, db_column='the_code')
    token = models.UUIDField(null=True)
    amount = models.DecimalField(max_digits=8, decimal_places=3, default=0)
    payload = models.JSONField(null=True)
    created = models.DateTimeField(null=True)
    day = models.DateField(null=True)
    at = models.TimeField(null=True)
    span = models.DurationField(null=True)
    blob = models.BinaryField(null=True)
    ratio = models.FloatField(default=1.5)
    big = models.BigIntegerField(default=0)
    small = models.PositiveIntegerField(default=1)
    slug = models.SlugField(max_length=40, null=True)
    mail = models.EmailField(null=True)
    url = models.URLField(null=True)



class Volume(models.Model):
    heading = models.CharField(max_length=255, db_index=True)
    pages = models.IntegerField(default=0)
    rating = models.PositiveIntegerField(default=3)
    writer = models.ForeignKey(Writer, models.CASCADE, default=1)
    stamp = models.ForeignKey(Stamp, models.SET_NULL, null=True, to_field='code')

    class Meta:
        indexes = [
            models.Index(fields=['rating', '-pages']),
        ]
        constraints = [
            models.UniqueConstraint(fields=['heading', 'writer'], name='unique_heading_author'),
        ]
