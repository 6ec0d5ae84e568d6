"""Field classes: which of a subject's data keys seals a personal field.

A subject has one data key per class in each component that writes its personal data, so that
one class can be erased before the others (the retention schedule erases an ID number long
before a name). The class of a field follows from its name, declared here once for every
contract and read-model column:

- ``identity``: the resident ID number (``id_number``);
- ``contact``: phone numbers (``phone``, a host unit's ``contact_phone``);
- ``name``: every other personal field (names, a contact person, an insured person, ...).

A key made before classes existed has no class (``None``): it seals every class of its subject
and is destroyed once all of them are erased (docs/privacy.md, "Keys made before classes").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

IDENTITY, CONTACT, NAME = "identity", "contact", "name"
FIELD_CLASSES = (CONTACT, IDENTITY, NAME)
"""Every class, sorted: an erasure naming all of them erases the whole subject."""
_CLASS_OF_FIELD = {"id_number": IDENTITY, "phone": CONTACT, "contact_phone": CONTACT}
ERASED_CLASSES_FIELD = "field_classes"


def field_class(field: str) -> str:
    """The class of the personal field (or read-model column) ``field``."""
    return _CLASS_OF_FIELD.get(field, NAME)


def fields_of_class(classes: Iterable[str], fields: Iterable[str]) -> list[str]:
    """Those of ``fields`` whose class is among ``classes``."""
    wanted = set(classes)
    return [name for name in fields if field_class(name) in wanted]


def erased_classes(payload: Mapping[str, object]) -> frozenset[str]:
    """The classes a ``SubjectErased`` payload erases, as stored at any version: one without
    ``field_classes`` (version 1, or an empty list) erases every class."""
    named = payload.get(ERASED_CLASSES_FIELD)
    if not isinstance(named, list | tuple) or not named:
        return frozenset(FIELD_CLASSES)
    return frozenset(str(name) for name in named)


def is_whole(classes: Iterable[str]) -> bool:
    """Whether ``classes`` are every class (the subject is erased as a whole)."""
    return set(FIELD_CLASSES) <= set(classes)
