"""`TaskMetadata` keeps the execution options class-based tasks take."""

from datetime import timedelta

from flytekit import TaskMetadata

md = TaskMetadata(
    retries=2, timeout=timedelta(minutes=5), cache=True, cache_version="1.0", interruptible=True
)
print(md.retries, md.timeout, md.cache, md.cache_version, md.interruptible)
