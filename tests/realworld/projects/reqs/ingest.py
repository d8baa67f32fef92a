"""The nightly ingestion job's image: its dependencies come from the team's requirements files."""

from dockyard import ImageSpec

ingest_image = ImageSpec(name="nightly-ingest", requirements="requirements.txt")
