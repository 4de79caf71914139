"""CUPS backends of the simulated printer (installed into a private cupsd's ServerBin by
:class:`hw_sim.stack.cupsd.PrivateCupsd`; a package so that they ship with the project)."""
