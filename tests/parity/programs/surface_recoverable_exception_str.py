"""flytekit's exceptions put their error code first when printed."""

from flytekit.exceptions.user import FlyteRecoverableException, FlyteUserException

print(str(FlyteRecoverableException("network blip")))
print(FlyteRecoverableException.error_code, FlyteUserException.error_code)
