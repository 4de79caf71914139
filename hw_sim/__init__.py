"""Stand-ins for hardware and remote systems: virtual My Number card, simulated issuance
center, municipalities and JPKI validity service, test PKI, fee acceptor, printer faults,
private pcscd/cupsd instances and the dev dock.

Only `kiosk/app/developer.py` (developer profile) and the tests import this package. It never
imports `cardio`: the card simulator must not share the driver's assumptions.
"""
