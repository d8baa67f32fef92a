"""`ctx.file_access` hands out fresh local paths for files a task or test writes."""

import os

from flytekit import FlyteContextManager

fa = FlyteContextManager.current_context().file_access
a, b = fa.get_random_local_path(), fa.get_random_local_path("data.csv")
print(isinstance(a, str), a != b, os.path.basename(b))
d = fa.get_random_local_directory()
print(os.path.isdir(d))
