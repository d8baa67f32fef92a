"""flytekit's exception hierarchy (`flytekit.exceptions.base/user/system`), defined once for the SDK.

User code raises and catches these by name: `FlyteRecoverableException` asks for a retry, `FlyteAssertion`
and friends are what flytekit raises for misuse. Each class keeps flytekit's bases (so `except
AssertionError` still matches) and its error code, which `str()` puts first as flytekit does:
`USER:Recoverable: error=<args>`. `dockyard.exceptions.*` re-exports them at flytekit's module paths.
"""

from __future__ import annotations

from typing import Any


class _CodedMeta(type):
    @property
    def error_code(cls) -> str:
        return cls._ERROR_CODE  # type: ignore[attr-defined]


class FlyteException(Exception, metaclass=_CodedMeta):
    _ERROR_CODE = "UnknownFlyteException"

    def __init__(self, *args: Any, timestamp: float | None = None) -> None:
        super().__init__(*args)
        self._timestamp = timestamp

    @property
    def timestamp(self) -> float | None:
        return self._timestamp

    def __str__(self) -> str:
        message = f"error={','.join(str(a) for a in self.args) if self.args else 'None'}"
        if self.__cause__:
            message += f", cause={self.__cause__}"
        return f"{self._ERROR_CODE}: {message}"


class FlyteBaseRecoverableException(FlyteException):
    """`flytekit.exceptions.base.FlyteRecoverableException` (the user one below shares its name)."""

    _ERROR_CODE = "RecoverableFlyteException"


# ---- user errors (flytekit.exceptions.user) ----------------------------------------------------------------
class FlyteUserException(FlyteException):
    _ERROR_CODE = "USER:Unknown"


class FlyteUserRuntimeException(FlyteException):
    """Wraps an exception raised by user code; its error code is the wrapped one's when it has one."""

    _ERROR_CODE = "USER:RuntimeError"

    def __init__(self, exc_value: BaseException, timestamp: float | None = None) -> None:
        self._exc_value = exc_value
        super().__init__(str(exc_value), timestamp=timestamp)

    @property
    def value(self) -> BaseException:
        return self._exc_value

    @property
    def error_code(self) -> str:
        code = getattr(self._exc_value, "error_code", None)
        return code if isinstance(code, str) else self._ERROR_CODE


class FlyteTypeException(FlyteUserException, TypeError):
    _ERROR_CODE = "USER:TypeError"


class FlyteValueException(FlyteUserException, ValueError):
    _ERROR_CODE = "USER:ValueError"


class FlyteDataNotFoundException(FlyteValueException):
    pass


class FlyteEntityNotFoundException(FlyteValueException):
    pass


class FlyteAssertion(FlyteUserException, AssertionError):
    _ERROR_CODE = "USER:AssertionError"


class FlyteValidationException(FlyteAssertion):
    _ERROR_CODE = "USER:ValidationError"


class FlyteFailureNodeInputMismatchException(FlyteAssertion):
    """An `on_failure` handler declares an input the workflow does not have (besides `err`)."""

    _ERROR_CODE = "USER:FailureNodeInputMismatch"

    def __init__(self, failure_node_node: Any, workflow: Any) -> None:
        super().__init__()
        self.failure_node_node = failure_node_node
        self.workflow = workflow

    def __str__(self) -> str:
        return (
            "Mismatched Inputs Detected\n"
            f"The failure node `{self.failure_node_node.name}` has inputs that do not align with those "
            f"expected by the workflow `{self.workflow.name}`.\n"
            f"Failure Node's Inputs: {self.failure_node_node.interface.inputs}\n"
            f"Workflow's Inputs: {self.workflow.interface.inputs}\n"
            "Action Required:\nPlease ensure that all input arguments in the failure node are provided and "
            "match the expected arguments specified in the workflow."
        )


class FlyteDisapprovalException(FlyteAssertion):
    _ERROR_CODE = "USER:ResultNotApproved"


class FlyteEntityAlreadyExistsException(FlyteAssertion):
    _ERROR_CODE = "USER:EntityAlreadyExists"


class FlyteEntityNotExistException(FlyteAssertion):
    _ERROR_CODE = "USER:EntityNotExist"


class FlyteTimeout(FlyteAssertion):
    _ERROR_CODE = "USER:Timeout"


class FlyteRecoverableException(FlyteUserException, FlyteBaseRecoverableException):
    """Raise it from a task to ask for another attempt (up to the task's `retries`)."""

    _ERROR_CODE = "USER:Recoverable"


class FlyteAuthenticationException(FlyteAssertion):
    _ERROR_CODE = "USER:AuthenticationError"


class FlyteInvalidInputException(FlyteUserException):
    _ERROR_CODE = "USER:BadInputToAPI"


class FlytePromiseAttributeResolveException(FlyteAssertion):
    """A promise's attribute path (`out.a[0]["k"]`) does not exist in the value the node produced."""

    _ERROR_CODE = "USER:PromiseAttributeResolveError"


class FlyteCompilationException(FlyteUserException):
    _ERROR_CODE = "USER:CompileError"


class FlyteMissingTypeException(FlyteCompilationException):
    _ERROR_CODE = "USER:MissingTypeError"


class FlyteMissingReturnValueException(FlyteCompilationException):
    """A task or workflow declares outputs but its body never says `return`."""

    _ERROR_CODE = "USER:MissingReturnValueError"

    def __init__(self, *args: Any, fn: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fn = fn

    def __str__(self) -> str:
        if self.fn is None:
            return super().__str__()
        return (
            f"{self.fn.__name__} function must return a value. "
            "Please add a return statement at the end of the function."
        )


# ---- system errors (flytekit.exceptions.system) ------------------------------------------------------------
class FlyteSystemException(FlyteBaseRecoverableException):
    _ERROR_CODE = "SYSTEM:Unknown"


class FlyteSystemUnavailableException(FlyteSystemException):
    _ERROR_CODE = "SYSTEM:Unavailable"


class FlyteNotImplementedException(FlyteSystemException, NotImplementedError):
    _ERROR_CODE = "SYSTEM:NotImplemented"


class FlyteEntrypointNotLoadable(FlyteSystemException):
    _ERROR_CODE = "SYSTEM:UnloadableCode"


class FlyteSystemAssertion(FlyteSystemException, AssertionError):
    _ERROR_CODE = "SYSTEM:AssertionError"


class FlyteDownloadDataException(FlyteSystemException):
    _ERROR_CODE = "SYSTEM:DownloadDataError"


class FlyteUploadDataException(FlyteSystemException):
    _ERROR_CODE = "SYSTEM:UploadDataError"


class FlyteNonRecoverableSystemException(FlyteException):
    _ERROR_CODE = "USER:NonRecoverableSystemError"


class EagerException(Exception):
    """flytekit's `flytekit.exceptions.eager.EagerException`: an error inside an `@eager` workflow."""
