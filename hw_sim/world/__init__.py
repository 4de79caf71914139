"""The simulated world: municipalities and their offers, residents and households, family
registers, seals and tax records. Static, synthetic and deterministic (seeded); see
docs/simulated-world.md. The municipality servers (hw_sim.municipality) serve it.
"""

from hw_sim.world.codes import check_digit, is_valid_code, with_check_digit
from hw_sim.world.errors import WorldDataError
from hw_sim.world.loader import load_municipalities, load_municipality
from hw_sim.world.municipalities import CertificateConfig, MaintenanceWindow, Municipality

__all__ = [
    "CertificateConfig",
    "MaintenanceWindow",
    "Municipality",
    "WorldDataError",
    "check_digit",
    "is_valid_code",
    "load_municipalities",
    "load_municipality",
    "with_check_digit",
]
