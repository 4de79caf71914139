"""Private instances of the real daemons (pcscd with the vpcd reader, cupsd) for tests and the
developer profile, so that nothing touches the machine's own daemons, queues or readers."""

from hw_sim.stack.pcscd import PrivatePcscd, free_port_pair

__all__ = ["PrivatePcscd", "free_port_pair"]
