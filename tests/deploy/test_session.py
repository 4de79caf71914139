"""The kiosk session in a throwaway root: cage started by the installed
konbini-kiosk-session.service's own command, the installed kiosk started by
konbini-kiosk.service's commands under a part of its sandbox, on Wayland. The kiosk reaches
its start screen (READY=1), a ``grim`` screenshot shows it full screen, the heartbeat pets
the watchdog; a killed kiosk is started again inside the same session; a killed cage takes
the kiosk down with it (no hung kiosk without a display) and both come back.

cage draws into a private Xvfb (``WLR_BACKENDS=x11``) rather than its headless backend: with
wlroots 0.15 on a machine without a DRM device the headless output stops presenting frames
after the first few (a client's later frames never reach a screenshot; seen with a plain
QLabel changing colour), so a screenshot would show a stale or empty output. The x11 backend
presents every frame; everything above it (cage, Wayland, Qt, the kiosk) is the same.

Not here (no systemd as PID 1, no logind, no VT): the PAM session, tty1, the autologin;
systemd-analyze verifies those settings (tests/deploy/test_install.py)."""

from __future__ import annotations

import os
import signal
import subprocess
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from kiosk.ui.theme import STANDARD
from tests.deploy.conftest import KIOSK_USER, SESSION_UNIT, UNIT, install, write_start_profile
from tests.deploy.rootfs import SHARED, ThrowawayRoot
from tests.deploy.service_manager import ServiceManager

pytestmark = pytest.mark.slow

OUTPUT_SIZE = (1024, 768)  # the window wlroots' x11 backend opens
DISPLAY_DIR = "/run/konbini-kiosk-display"


def rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def screenshot(root: ThrowawayRoot, name: str) -> Image.Image:
    root.run(
        ["grim", f"{SHARED}/{name}"],
        user=KIOSK_USER,
        env={"XDG_RUNTIME_DIR": DISPLAY_DIR, "WAYLAND_DISPLAY": "wayland-0"},
    )
    return Image.open(root.shared / name).convert("RGB")


def is_start_screen(image: Image.Image) -> None:
    assert image.size == OUTPUT_SIZE
    width, height = image.size
    assert image.getpixel((4, 4)) == rgb(STANDARD.header)  # the header band, full width
    assert image.getpixel((width - 4, 4)) == rgb(STANDARD.header)
    assert image.getpixel((4, height // 2)) == rgb(STANDARD.background)
    colours = image.getcolors(maxcolors=1 << 20) or []
    assert len(colours) > 200  # text and buttons drawn, not a blank surface
    import pytesseract  # the language button reads "Language" in every language

    text = pytesseract.image_to_string(image.crop((width * 3 // 4, 0, width, height // 8)))
    assert "Language" in text, text


@pytest.fixture
def x_display(tmp_path: Path) -> Iterator[str]:
    """A private Xvfb for cage's x11 backend (its abstract socket is reachable from the root)."""
    read, write = os.pipe()
    xvfb = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-nolisten", "tcp", "-screen", "0", "1280x1024x24"],
        pass_fds=(write,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    with os.fdopen(read) as numbers:
        display = numbers.readline().strip()
    try:
        assert display, "Xvfb did not start"
        yield f":{display}"
    finally:
        xvfb.terminate()
        xvfb.wait(30)


def test_the_installed_kiosk_shows_its_start_screen_on_cage(
    root: ThrowawayRoot, kiosk_deb: Path, x_display: str
) -> None:
    install(root, kiosk_deb)
    profile = write_start_profile(root)
    with open(root.shared / "profile.toml", "a", encoding="utf-8") as extra:
        extra.write(textwrap.dedent("[accessibility]\nhigh_contrast = false\n"))
    display = {
        "WLR_BACKENDS": "x11",
        "WLR_RENDERER": "pixman",
        "WLR_LIBINPUT_NO_DEVICES": "1",
        "DISPLAY": x_display,
    }
    session = ServiceManager(root, SESSION_UNIT, extra_env=display)
    kiosk = ServiceManager(
        root, UNIT, extra_env={"KIOSK_PROFILE": profile, "WATCHDOG_USEC": "2000000"}
    )
    try:
        assert session.start().ready, session.output()
        cage = session.process
        assert cage is not None
        started = time.monotonic()
        outcome = kiosk.start(ready_timeout=120)
        assert outcome.ready, kiosk.output()
        assert "start screen shown" in kiosk.output()
        print(f"kiosk start → READY=1 under cage: {time.monotonic() - started:.1f} s")
        assert kiosk.notify is not None
        assert kiosk.notify.wait_for("WATCHDOG=1", timeout=10, count=3)
        time.sleep(0.5)  # the first frame reached the compositor
        shot = screenshot(root, "start.png")
        shot.save(Path(root.base).parent / "start-under-cage.png")  # kept with the test's files
        is_start_screen(shot)

        # The kiosk crashes: the service manager starts it again, inside the same session.
        assert kiosk.process is not None
        kiosk.process.send_signal(signal.SIGKILL)
        crashed = kiosk.wait_exit(timeout=30)
        assert crashed.result == "signal"
        assert crashed.exit_status == "KILL"
        assert kiosk.start(ready_timeout=120).ready, kiosk.output()
        assert cage.poll() is None  # the session was not restarted
        is_start_screen(screenshot(root, "after-kiosk-crash.png"))

        # cage crashes: the kiosk, without its display, ends by itself; both are started again.
        cage.send_signal(signal.SIGKILL)
        session.wait_exit(timeout=30)
        lost = kiosk.wait_exit(timeout=60)
        assert lost.result in ("exit-code", "signal"), lost.output
        assert session.start().ready, session.output()
        assert kiosk.start(ready_timeout=120).ready, kiosk.output()
        is_start_screen(screenshot(root, "after-session-crash.png"))
    finally:
        kiosk.close()
        session.close()


def test_kiosk_run_waits_for_the_display_and_gives_up_in_bounded_time(
    root: ThrowawayRoot, kiosk_deb: Path
) -> None:
    """No session: kiosk-run does not start the kiosk without its display; it says why and
    exits 69, which the release guard does not count against the release."""
    install(root, kiosk_deb)
    started = time.monotonic()
    run = root.run(
        ["/usr/lib/konbini-kiosk/kiosk-run"],
        user=KIOSK_USER,
        env={"QT_QPA_PLATFORM": "wayland", "XDG_RUNTIME_DIR": "/tmp", "KIOSK_DISPLAY_WAIT": "2"},
        check=False,
        timeout=60,
    )
    assert run.returncode == 69
    assert "no Wayland display" in run.stderr
    assert time.monotonic() - started < 30
