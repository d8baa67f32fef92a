"""The feature-store client image: one package from the company's private index, the rest from PyPI.

The index URL, with its token, comes from the CI environment, never from this file.
"""

import os

from dockyard import ImageSpec

features_image = ImageSpec(
    name="feature-client",
    packages=["acme-features==1.4.0", "tabulate==0.9.0"],
    pip_extra_index_url=[os.environ["ACME_INDEX_URL"]],
)
