"""Commands and events, each declared once: a frozen dataclass whose fields carry their rules.

A field is written ``name: Annotated[str, Text(50)]``: the Python type is what the domain
sees, the marshmallow field is the rule that every way in applies (the gateway's request
body, a service's RPC arguments, an event's payload). The schema is built from the dataclass,
so there is no second list of the same fields.
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar, Self, dataclass_transform

from marshmallow import Schema, ValidationError

from shared.contracts.fields import is_personal
from shared.contracts.registry import CONTRACTS
from shared.contracts.schemas import (
    OnePass,
    build_schema,
    invalid_arguments,
    load_in_one_pass,
    one_pass_fields,
    snake_case,
    to_wire,
)
from shared.domain import DomainError

Result = dict[str, object]
"""What a command answers over RPC: a JSON object."""


@dataclass_transform(kw_only_default=True, frozen_default=True)
class Command:
    """What a caller asks a service to do (imperative name). Subclasses are frozen,
    keyword-only dataclasses: ``class RegisterStudent(Command, service="recruitment")``.

    ``refusals`` lists the domain errors it may answer with (documented per route);
    ``creates`` names the id field of what it creates, filled in when the caller leaves it out;
    ``exposed=False`` marks a command that only the service itself issues (from an event).
    Its RPC method is the snake-case class name.
    """

    service: ClassVar[str]
    rpc_name: ClassVar[str]
    exposed: ClassVar[bool]
    refusals: ClassVar[tuple[type[DomainError], ...]]
    creates: ClassVar[str | None]

    def __init_subclass__(
        cls,
        *,
        service: str,
        exposed: bool = True,
        refusals: tuple[type[DomainError], ...] = (),
        creates: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init_subclass__(**kwargs)
        dataclasses.dataclass(frozen=True, kw_only=True)(cls)
        cls.service, cls.exposed, cls.refusals, cls.creates = service, exposed, refusals, creates
        cls.rpc_name = snake_case(cls.__name__)
        COMMANDS.append(cls)

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        return _field_names(cls)

    @classmethod
    def schema(cls) -> Schema:
        """The command's schema (one instance, built on first use)."""
        return _schema_instance(cls)

    @classmethod
    def parse(cls, arguments: object) -> Self:
        """Validate ``arguments`` (a JSON object) into the command, or ``InvalidArgumentsError``."""
        schema = cls.schema()
        if cls not in _ONE_PASS:
            _ONE_PASS[cls] = one_pass_fields(schema)
        # Every command is parsed twice, by the gateway and again by its service, which
        # trusts no RPC caller (any component's broker user may publish an RPC request).
        values = load_in_one_pass(_ONE_PASS[cls], arguments)
        if values is None:
            try:
                values = schema.load(arguments)  # type: ignore[arg-type]
            except ValidationError as error:
                raise invalid_arguments(schema, error) from None
        return cls(**{name: _immutable(value) for name, value in values.items()})

    def arguments(self) -> dict[str, object]:
        """The command as RPC arguments: the JSON object ``parse`` reads back."""
        made: dict[str, object] = {}
        for name in _field_names(type(self)):
            value = getattr(self, name)
            made[name] = value if type(value) is str else to_wire(value)  # most are text
        return made

    def with_values(self, **values: object) -> Self:
        """The same command with some fields replaced (values of the fields' own types)."""
        return dataclasses.replace(self, **values)  # type: ignore[type-var]

    def public_arguments(self, arguments: dict[str, object] | None = None) -> dict[str, object]:
        """``arguments()`` (or those given) without personal data: safe to echo or log."""
        personal = _personal_fields(type(self))
        made = self.arguments() if arguments is None else arguments
        return {name: value for name, value in made.items() if name not in personal}


COMMANDS: list[type[Command]] = []
"""Every command class declared so far (importing ``shared.contracts`` declares them all)."""

_SCHEMAS: dict[type[Any], Schema] = {}


def _schema_instance(record: type[Any]) -> Schema:
    schema = _SCHEMAS.get(record)
    if schema is None:
        schema = _SCHEMAS[record] = build_schema(record)()
    return schema


_FIELD_NAMES: dict[type[Any], tuple[str, ...]] = {}


def _field_names(record: type[Any]) -> tuple[str, ...]:
    """A command's or an event's field names, in order, read once per class
    (``dataclasses.fields`` walks the class's field table on every call)."""
    names = _FIELD_NAMES.get(record)
    if names is None:
        names = _FIELD_NAMES[record] = tuple(f.name for f in dataclasses.fields(record))
    return names


_ONE_PASS: dict[type[Any], OnePass | None] = {}


_PERSONAL: dict[type[Any], frozenset[str]] = {}


def _personal_fields(command: type[Command]) -> frozenset[str]:
    found = _PERSONAL.get(command)
    if found is None:
        fields = command.schema().fields.items()
        found = _PERSONAL[command] = frozenset(name for name, f in fields if is_personal(f))
    return found


def _immutable(value: object) -> object:
    return tuple(value) if isinstance(value, list) else value


@dataclass_transform(frozen_default=True)
class Event:
    """What happened (past-tense name): a frozen dataclass registered as the newest contract of
    its type, ``class StudentScreened(Event, version=1)``. Older versions stay as plain
    schemas with an upcaster (see ``ContractRegistry``)."""

    schema_version: ClassVar[int]

    def __init_subclass__(cls, *, version: int = 1, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        dataclasses.dataclass(frozen=True)(cls)
        cls.schema_version = version
        CONTRACTS.register_event(cls, version)

    def values(self) -> dict[str, Any]:
        """The payload's values as Python objects (before serialisation)."""
        return {name: getattr(self, name) for name in _field_names(type(self))}
