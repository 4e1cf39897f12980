from django.db import models

from . import TABLE


class Counter(models.Model):
    """Attempts under one key until window_ends; read and written by forum_portal.ratelimit only."""

    key = models.CharField(max_length=100, primary_key=True)
    count = models.IntegerField(default=0)
    # Seconds since the epoch: compared in SQL the same way on every database.
    window_ends = models.BigIntegerField(db_index=True)

    class Meta:
        db_table = TABLE

    def __str__(self):
        return f"{self.key}: {self.count}"
