"""Where the world gets its personas: hw_sim/personas.py (the single list of people with
virtual cards) and the card identifiers of the test PKI (hw_sim/pki.py). Read, never copied:
the world places each persona in a household by id (data/households.toml)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol

from hw_sim.world.records import Name


@dataclass(frozen=True)
class PersonaFacts:
    """What the world takes from a persona (or a person written out in the data)."""

    persona_id: str | None
    name: Name
    birth_date: date
    sex: str
    registered_name: Name | None = None  # when the card uses a substitute character
    address: str | None = None
    municipality_code: str | None = None
    my_number: str | None = None
    card_identifier: str | None = None


class PersonaSource(Protocol):
    def get(self, persona_id: str) -> PersonaFacts | None:
        """The persona with this id, or None."""
        ...


class _PersonasModule:
    """Looks personas up by id in hw_sim.personas (imported on first use)."""

    def get(self, persona_id: str) -> PersonaFacts | None:
        from hw_sim import personas
        from hw_sim.pki import auth_identifier

        try:
            persona = personas.get_persona(persona_id)
        except KeyError:
            return None
        registered = None
        if persona.registered_name:
            registered = _name(persona.registered_name, persona.name_kana)
        return PersonaFacts(
            persona_id=persona.id,
            name=_name(persona.name, persona.name_kana),
            birth_date=persona.birth_date,
            sex=persona.sex,
            registered_name=registered,
            address=persona.address,
            municipality_code=persona.municipality_code,
            my_number=persona.my_number,
            card_identifier=auth_identifier(persona),
        )


def _name(text: str, kana: str | None) -> Name:
    family, _, given = text.partition("\u3000")
    family_kana, _, given_kana = (kana or "").partition("\u3000")
    return Name(family, given, family_kana, given_kana)


def default_persona_source() -> _PersonasModule:
    return _PersonasModule()
