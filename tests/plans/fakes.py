"""A plan without a database, for the pure figures in plans/progress.py."""

import datetime

START = datetime.date(2026, 1, 7)  # a Wednesday


class FakePlan:
    def __init__(self, *, start=START, weeks=4, sessions_per_week=3, ended_on=None):
        self.start_date = start
        self.weeks = weeks
        self.end_date = start + datetime.timedelta(weeks=weeks, days=-1)
        self.sessions_per_week = sessions_per_week
        self.ended_on = ended_on

    @property
    def last_day(self):
        return min(self.end_date, self.ended_on or self.end_date)


def day(n):
    return START + datetime.timedelta(days=n)
