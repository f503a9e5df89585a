"""The runtime side of plugin interfaces: live objects read as :mod:`spoc.interfaces` shapes,
without calling anything they define.

Attributes are read with :func:`inspect.getattr_static` and class and module dictionaries;
signatures come from code objects and defaults, never from ``inspect.signature`` (which may
call ``__signature__`` properties or follow ``__wrapped__``). So checking a plugin never runs
its code: no descriptor, ``__getattr__``, metaclass or property of it is called.
"""

from __future__ import annotations

import inspect
import sys
import types
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeGuard, TypeVar

from spoc.errors import ConfigError, Location, PluginFailure, PluginInterfaceError
from spoc.interfaces import (
    UNKNOWN_VERSION,
    Interface,
    Member,
    Parameter,
    ParameterKind,
    Shape,
    Signature,
    UnknownVersion,
    Version,
    interface_value_problem,
    is_kind,
    is_public_member,
    kind_problem,
    problems,
)

_MISSING = object()
_T = TypeVar("_T")


def _is(value: object, kind: type[_T]) -> TypeGuard[_T]:
    """``isinstance`` by the real type only: ``isinstance`` may read ``value.__class__``, which
    a plugin (or its metaclass) can define."""
    return issubclass(type(value), kind)


_CO_VARARGS = inspect.CO_VARARGS
_CO_VARKEYWORDS = inspect.CO_VARKEYWORDS


def code_signature(function: types.FunctionType, *, drop_first: bool) -> Signature | None:
    """A plain function's signature from its code object and defaults (``None`` when it
    wraps another callable, whose real signature cannot be read without calling code)."""
    attributes = _own_dict(function)
    if "__wrapped__" in attributes or "__signature__" in attributes:
        return None
    code = function.__code__
    defaults = function.__defaults__ or ()
    keyword_defaults = function.__kwdefaults__ or {}
    names = code.co_varnames
    positional = code.co_argcount
    first_default = positional - len(defaults)
    parameters: list[Parameter] = []
    for index in range(positional):
        kind: ParameterKind = (
            "positional_only" if index < code.co_posonlyargcount else "positional_or_keyword"
        )
        parameters.append(Parameter(names[index], kind, index < first_default))
    # co_varnames: positional parameters, keyword-only ones, then *args, then **kwargs.
    keyword_names = names[positional : positional + code.co_kwonlyargcount]
    cursor = positional + code.co_kwonlyargcount
    if code.co_flags & _CO_VARARGS:
        parameters.append(Parameter(names[cursor], "var_positional", False))
        cursor += 1
    for name in keyword_names:
        parameters.append(Parameter(name, "keyword_only", name not in keyword_defaults))
    if code.co_flags & _CO_VARKEYWORDS:
        parameters.append(Parameter(names[cursor], "var_keyword", False))
    if drop_first:
        if not parameters or not parameters[0].is_positional:
            return Signature(tuple(parameters))  # (*args): self goes into args
        parameters = parameters[1:]
    return Signature(tuple(parameters))


def _is_literal(value: object) -> TypeGuard[Version]:
    return any(_is(value, kind) for kind in (str, int, float, bool))


def _is_function(value: object) -> bool:
    kinds = (types.FunctionType, types.BuiltinFunctionType, types.MethodType)
    return any(_is(value, kind) for kind in kinds)


def _own_dict(value: object) -> Mapping[str, Any]:
    try:
        found = object.__getattribute__(value, "__dict__")
    except AttributeError:
        return {}
    return found if _is(found, dict) or _is(found, types.MappingProxyType) else {}


def _class_dict(klass: type) -> Mapping[str, Any]:
    found = type.__dict__["__dict__"].__get__(klass)
    return found if _is(found, dict) or _is(found, types.MappingProxyType) else {}


def _mro(klass: type) -> tuple[type, ...]:
    mro = type.__dict__["__mro__"].__get__(klass)
    return tuple(c for c in mro if c is not object)


def _annotation_names(klass: type) -> Iterator[str]:
    namespace = _class_dict(klass)
    annotations = namespace.get("__annotations__")
    if annotations is not None and _is(annotations, dict):
        yield from (name for name in annotations if _is(name, str))
        return
    annotate = namespace.get("__annotate__")
    if annotate is not None and sys.version_info >= (3, 14):  # pragma: no cover - 3.14+
        import annotationlib

        try:  # STRING evaluates in a fake namespace: names only, nothing of the class runs
            names = annotationlib.call_annotate_function(annotate, annotationlib.Format.STRING)
        except Exception:
            return
        yield from (name for name in names if _is(name, str))


def _member(name: str, value: object, *, in_class: bool) -> Member:
    """What a name bound to ``value`` provides (in a class body when ``in_class``)."""
    if _is(value, staticmethod):
        inner = value.__func__
        signature = (
            code_signature(inner, drop_first=False) if _is(inner, types.FunctionType) else None
        )
        return Member(name, signature, is_method=True)
    if _is(value, classmethod):
        inner = value.__func__
        signature = (
            code_signature(inner, drop_first=True) if _is(inner, types.FunctionType) else None
        )
        return Member(name, signature, is_method=True)
    if _is(value, types.FunctionType):
        return Member(name, code_signature(value, drop_first=in_class), is_method=True)
    return Member(name)


def _class_members(klass: type) -> dict[str, Member]:
    members: dict[str, Member] = {}
    for base in _mro(klass):
        for name, value in _class_dict(base).items():
            if _is(name, str) and name not in members:
                members[name] = _member(name, value, in_class=True)
        for name in _annotation_names(base):
            members.setdefault(name, Member(name))
    return members


def _defines_getattr(klass: type) -> bool:
    return any(
        "__getattr__" in _class_dict(base) or "__getattribute__" in _class_dict(base)
        for base in _mro(klass)
    )


def _version(value: object) -> Version | UnknownVersion:
    if _is_literal(value):
        return value
    return UNKNOWN_VERSION


def _static(owner: object, name: str) -> object:
    try:
        return inspect.getattr_static(owner, name, _MISSING)
    except Exception:  # a broken object: as if unbound
        return _MISSING


def _method_call(klass: type, name: str) -> Signature | None:
    for base in _mro(klass):
        value = _class_dict(base).get(name, _MISSING)
        if value is not _MISSING:
            return _member(name, value, in_class=True).signature
    return None


def read_interface(klass: type) -> Interface:
    """An interface class as the verdict reads it: public members of it and its bases, nearest
    first; its literal ``VERSION``; its ``__call__`` when it declares one."""
    members = tuple(
        member for name, member in _class_members(klass).items() if is_public_member(name)
    )
    version = _static(klass, "VERSION")
    literal = None if version is _MISSING else _version(version)
    declares_call = any("__call__" in _class_dict(base) for base in _mro(klass))
    return Interface(
        name=klass.__qualname__,
        members=members,
        version=literal if _is_literal(literal) else None,
        call=_method_call(klass, "__call__") if declares_call else None,
    )


def read_shape(plugin: object) -> Shape:
    """A loaded plugin as the verdict reads it (see :class:`spoc.interfaces.Shape`)."""
    version = _static(plugin, "VERSION")
    seen_version = None if version is _MISSING else _version(version)
    if _is(plugin, types.ModuleType):
        namespace = _own_dict(plugin)
        members = {
            name: _member(name, value, in_class=False)
            for name, value in namespace.items()
            if _is(name, str)
        }
        return Shape(
            "module",
            members,
            is_callable=False,
            complete="__getattr__" not in namespace,
            version=seen_version,
        )
    if _is(plugin, type):
        return Shape(
            "class",
            _class_members(plugin),
            is_callable=True,
            complete=not _defines_getattr(plugin),
            version=seen_version,
            call=_method_call(plugin, "__init__"),
        )
    if _is_function(plugin):
        call: Signature | None = None
        if _is(plugin, types.FunctionType):
            call = code_signature(plugin, drop_first=False)
        elif _is(plugin, types.MethodType) and _is(plugin.__func__, types.FunctionType):
            call = code_signature(plugin.__func__, drop_first=True)
        members = {name: Member(name) for name in _own_dict(plugin) if _is(name, str)}
        return Shape(
            "function",
            members,
            is_callable=True,
            version=seen_version,
            call=call,
        )
    klass = type(plugin)
    members = _class_members(klass)
    for name in _own_dict(plugin):
        if _is(name, str):
            members[name] = Member(name)
    callable_ = any("__call__" in _class_dict(base) for base in _mro(klass))
    return Shape(
        "instance",
        members,
        is_callable=callable_,
        complete=not _defines_getattr(klass),
        version=seen_version,
        call=_method_call(klass, "__call__") if callable_ else None,
    )


def interface_problems(value: str, plugin: object, interface: object = None) -> tuple[str, ...]:
    """What ``plugin`` lacks to satisfy ``value`` (a kind, or a class URI whose loaded object is
    ``interface``); empty when it satisfies it."""
    shape = read_shape(plugin)
    if is_kind(value):
        problem = kind_problem(value, shape)
        return () if problem is None else (problem,)
    if not _is(interface, type):
        raise TypeError(f"interface {value!r} is not a class")
    return problems(read_interface(interface), shape)


def object_kind(value: object) -> str:
    """What ``value`` is, in the words of interface messages: class, module, function,
    instance."""
    if _is(value, type):
        return "class"
    if _is(value, types.ModuleType):
        return "module"
    if _is_function(value):
        return "function"
    return "instance"


def check_interfaces(
    loaded: Mapping[str, Mapping[str, object]],
    declared: Mapping[str, str],
    load: Callable[[str], object],
    where_listed: Callable[[str, str], Location],
    where_declared: Callable[[str], Location],
) -> list[PluginFailure]:
    """Every failure of a loaded plugin against its group's declared interface, in group and
    plugin order. ``load`` imports an interface URI; ``where_listed(group, uri)`` and
    ``where_declared(group)`` say where a plugin and an interface are written."""
    failures: list[PluginFailure] = []
    for group, value in declared.items():
        plugins = loaded.get(group)
        if not plugins:
            continue
        interface: object = None
        if not is_kind(value):
            try:
                interface = load(value)
            except Exception as error:
                failures.append(PluginFailure(group, value, where_declared(group), error))
                continue
            if not _is(interface, type):
                problem = interface_value_problem(value, object_kind(interface))
                place = where_declared(group)
                unusable = ConfigError(f"{problem} (group {group!r})", place, key="interfaces")
                failures.append(PluginFailure(group, value, place, unusable))
                continue
        name = interface.__qualname__ if _is(interface, type) else value
        for uri, plugin in plugins.items():
            found = interface_problems(value, plugin, interface)
            if found:
                failing = PluginInterfaceError(uri, group, name, found)
                failures.append(PluginFailure(group, uri, where_listed(group, uri), failing))
    return failures
