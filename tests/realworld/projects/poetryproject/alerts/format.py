"""One line per alert: a slug to link to, and how long ago it fired."""

import datetime as dt

import humanize
from slugify import slugify


def line(title: str, fired: dt.datetime, now: dt.datetime) -> str:
    return f"{slugify(title)}: {humanize.naturaltime(now - fired)}"
