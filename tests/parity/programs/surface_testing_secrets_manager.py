"""`flytekit.testing.SecretsManager` reads the same environment variables tests set."""

import os

from flytekit.testing import SecretsManager

os.environ["_FSEC_API_TOKEN"] = " abc "
sm = SecretsManager()
print(repr(sm.get("api", "token")))
print(sm.get_secrets_env_var("api", "token"))
