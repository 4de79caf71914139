"""The wiring: the one place that chooses real devices or simulators, per profile.

- :mod:`kiosk.app.wiring` — :class:`KioskParts` → :func:`assemble` → a runner (Qt-free, no
  simulator imports);
- :mod:`kiosk.app.profiles` — a profile (kiosk.config) → the parts: store and city hall with
  real devices only, developer with the simulated world;
- :mod:`kiosk.app.developer` — the developer profile's simulated world (the only kiosk module
  that imports ``hw_sim``; loaded only for that profile);
- :mod:`kiosk.app.qt` — the Qt bridge and window; :mod:`kiosk.app.demo` — a scripted resident.

``python -m kiosk --profile profiles/<name>.toml`` starts a kiosk (kiosk/__main__.py).
"""

from kiosk.app.wiring import KioskParts, StartupError, assemble

__all__ = ["KioskParts", "StartupError", "assemble"]
