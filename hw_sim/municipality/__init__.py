"""The simulated municipality certificate servers (証明発行サーバ) behind the issuance center.

The public interface is :mod:`hw_sim.municipality.api`; see docs/simulated-world.md.
"""

from hw_sim.municipality.api import (
    HonsekiApplication,
    IssuedDocument,
    MunicipalityInfo,
    MunicipalityServer,
    Refusal,
    RefusalReason,
    RegistrationReceipt,
    RegistrationState,
    RegistrationStatus,
    UnknownMunicipalityError,
    World,
)

__all__ = [
    "HonsekiApplication",
    "IssuedDocument",
    "MunicipalityInfo",
    "MunicipalityServer",
    "Refusal",
    "RefusalReason",
    "RegistrationReceipt",
    "RegistrationState",
    "RegistrationStatus",
    "UnknownMunicipalityError",
    "World",
]
