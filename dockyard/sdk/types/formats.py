"""Format hints of file and folder types: `FlyteFile[TypeVar("csv")]`, `FlyteDirectory["tfrecord"]`."""

from __future__ import annotations

import typing
from typing import Any, ClassVar, TypeVar

_H = TypeVar("_H", bound="FormatHinted")


class FormatHinted:
    """Subscripting makes (once per format) a subclass that records the format in the literal."""

    _format: ClassVar[str] = ""
    _formats: ClassVar[dict[tuple[type, str], type]] = {}

    def __class_getitem__(cls, item: Any) -> Any:
        if isinstance(item, typing.TypeVar):
            return cls.with_format(item.__name__)
        if typing.get_origin(item) is typing.Annotated:  # Annotated[str, FileExt("tar.gz")]
            return cls.with_format(str(typing.get_args(item)[1]))
        return cls.with_format(str(item))

    @classmethod
    def with_format(cls: type[_H], fmt: str) -> type[_H]:
        """This type with format hint `fmt` (one class per format, so annotations compare equal)."""
        fmt = fmt.lstrip(".")
        key = (cls, fmt)
        if key not in FormatHinted._formats:
            base = cls.__name__.split("[")[0]
            namespace = {"_format": fmt, "__module__": cls.__module__}
            FormatHinted._formats[key] = type(f"{base}[{fmt}]", (cls,), namespace)
        return FormatHinted._formats[key]

    @classmethod
    def extension(cls) -> str:
        """The format hint ('' when none)."""
        return cls._format

    def __reduce__(self) -> tuple[Any, ...]:
        """Format classes are made at run time, so pickles name the base class and the format."""
        base = next(c for c in type(self).__mro__ if "[" not in c.__name__)
        return (_rebuild, (base, type(self)._format, dict(self.__dict__)))


def _rebuild(base: type[FormatHinted], fmt: str, state: dict[str, Any]) -> FormatHinted:
    cls = base.with_format(fmt) if fmt else base
    obj = cls.__new__(cls)
    obj.__dict__.update(state)
    return obj
