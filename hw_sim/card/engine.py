"""The virtual card's behaviour, APDU for APDU, after jpki-card.md (section numbers below).

:class:`VirtualCard` works at the card level: ``power_on() -> ATR``, ``warm_reset()``,
``power_off()``, ``process(apdu) -> response``. It keeps one current application, one current
EF and the security state (verified key references) of the current application; the retry
counters live in a :class:`~hw_sim.card.state.CardState` so that they survive restarts.
"""

from __future__ import annotations

import hmac
import logging
import os
import threading
from collections.abc import Sequence

from hw_sim.card.apdu import SW, CardError, Command, response, tries_sw
from hw_sim.card.hostile import hostile_answers
from hw_sim.card.model import (
    Application,
    BinaryFile,
    CardFile,
    InternalAuth,
    KeyFile,
    OpaqueFile,
    PinFile,
    RecordFile,
)
from hw_sim.card.profile import CardProfile
from hw_sim.card.signing import internal_authenticate, sign
from hw_sim.card.state import CardState

_log = logging.getLogger(__name__)

# GlobalPlatform Issuer Security Domain: selecting it restores the power-on MF state (§2.2).
GP_ISD_AID = bytes.fromhex("A0000001510000")
MF_FID = 0x3F00

# INS codes by class (§2.1): CLA 00 for ISO commands, CLA 80 for the card's own.
_ISO_INS = frozenset({0xA4, 0xB0, 0xB2, 0x20, 0x24, 0xCA, 0x84, 0x88})
_PROPRIETARY_INS = frozenset({0x2A, 0x32, 0xAE, 0xA2, 0xFC})


class VirtualCard:
    """One card: applications, MF-level files and data objects, profile, persistent state."""

    def __init__(
        self,
        applications: Sequence[Application],
        *,
        profile: CardProfile,
        state: CardState,
        mf_files: Sequence[CardFile] = (),
        data_objects: dict[int, bytes] | None = None,
    ) -> None:
        self.applications = tuple(applications)
        self.profile = profile
        self.state = state
        self._mf_files = {f.fid: f for f in mf_files}
        self._data_objects = dict(data_objects or {})
        self._lock = threading.RLock()
        self._powered = False
        self._first_pending = False
        self._app: Application | None = None
        self._ef: CardFile | None = None
        self._verified: set[int] = set()
        self._hostile = hostile_answers(profile.hostile)  # None for a card that behaves

    # -- power -------------------------------------------------------------------------------
    @property
    def atr(self) -> bytes:
        return self.profile.atr

    @property
    def powered(self) -> bool:
        return self._powered

    def power_on(self) -> bytes:
        """Cold reset: MF state, no security status (§2.2). Returns the ATR."""
        with self._lock:
            self._reset_logical_state()
            self._powered = True
            self._first_pending = self.profile.first_command_6f00
            return self.atr

    def warm_reset(self) -> bytes:
        """Warm reset. The measured card kept its security status (§2.2), so by default only
        the ATR is sent again; ``warm_reset_clears_security`` makes it a logical cold reset."""
        with self._lock:
            if not self._powered:
                return self.power_on()
            if self.profile.warm_reset_clears_security:
                self._reset_logical_state()
            return self.atr

    def power_off(self) -> None:
        """Power removed: all security status is lost (§2.2)."""
        with self._lock:
            self._powered = False
            self._reset_logical_state()

    def _reset_logical_state(self) -> None:
        if self._hostile is not None:
            self._hostile.reset()
        self._app = None
        self._ef = None
        self._verified.clear()

    # -- commands ----------------------------------------------------------------------------
    def process(self, apdu: bytes) -> bytes:
        """Answer one command APDU with response data + SW1 SW2. Never raises for bad input."""
        with self._lock:
            if not self._powered:
                raise RuntimeError("APDU sent to an unpowered card")
            if self._first_pending:
                # §2.2 quirk: one card answered 6F 00 to the first command after power-up.
                self._first_pending = False
                return response(b"", SW.NO_PRECISE_DIAGNOSIS)
            if self._hostile is not None:
                intercepted = self._hostile.intercepts(apdu)
                if intercepted is not None:
                    return intercepted
                return self._hostile.rewrite(self._answer(apdu))
            return self._answer(apdu)

    def _answer(self, apdu: bytes) -> bytes:
        """The card's own answer to ``apdu`` (under the lock)."""
        try:
            cmd = Command.parse(apdu)
            data, sw = self._dispatch(cmd)
        except CardError as refusal:
            data, sw = b"", refusal.sw
        except Exception:  # a bug in the simulator must not kill the reader thread
            _log.exception("virtual card failed on INS %02X", apdu[1] if len(apdu) > 1 else 0)
            data, sw = b"", SW.NO_PRECISE_DIAGNOSIS
        return response(data, sw)

    def _dispatch(self, cmd: Command) -> tuple[bytes, int]:
        cla = cmd.cla
        if cla & 0xE0 == 0x00 or cla & 0xF0 == 0x80:  # 0X interindustry or 8X proprietary
            if cla & 0x03:  # logical channel ≠ 0 (§2.1, measured)
                raise CardError(SW.LOGICAL_CHANNEL_NOT_SUPPORTED)
            if cla & 0x10:
                raise CardError(SW.CHAINING_NOT_SUPPORTED)
            if cla & 0x0C:  # secure messaging (§2.1): not offered by this simulator
                raise CardError(SW.SM_NOT_SUPPORTED_HERE)
            proprietary = bool(cla & 0x80)
        elif cla & 0xC0 == 0x40:  # further interindustry class: logical channels 4–19
            raise CardError(SW.LOGICAL_CHANNEL_NOT_SUPPORTED)
        else:
            raise CardError(SW.CLA_NOT_SUPPORTED)
        ins = cmd.ins
        if proprietary:
            if ins not in _PROPRIETARY_INS:
                raise CardError(SW.CLA_NOT_SUPPORTED if ins in _ISO_INS else SW.INS_NOT_SUPPORTED)
            return self._proprietary(cmd)
        if ins not in _ISO_INS:
            raise CardError(
                SW.CLA_NOT_SUPPORTED if ins in _PROPRIETARY_INS else SW.INS_NOT_SUPPORTED
            )
        handler = {
            0xA4: self._select,
            0xB0: self._read_binary,
            0xB2: self._read_record,
            0x20: self._verify,
            0x24: self._change_reference_data,
            0xCA: self._get_data,
            0x84: self._get_challenge,
            0x88: self._internal_authenticate,
        }[ins]
        return handler(cmd)

    def _proprietary(self, cmd: Command) -> tuple[bytes, int]:
        if cmd.ins == 0x2A:
            return self._compute_digital_signature(cmd)
        if cmd.ins == 0x32:
            return self._change_reference_data(cmd)
        if cmd.ins == 0xAE:  # SET SESSION KEY (§2.6): the answer depends on the AP
            if self._app is None:
                raise CardError(SW.SECURITY_STATUS_NOT_SATISFIED)
            raise CardError(self._app.set_session_key_sw)
        if cmd.ins == 0xA2:  # terminal CV certificate: every P1P2 tried answered 6A 86 (§2.6)
            raise CardError(SW.INCORRECT_P1P2)
        # 80 FC: iPhone-token "last command indicator"; physical cards answer 67 00 (§2.6)
        if self.profile.last_command_indicator_ok:
            return b"", SW.OK
        raise CardError(SW.WRONG_LENGTH)

    # -- SELECT (§2.2) -------------------------------------------------------------------------
    def _select(self, cmd: Command) -> tuple[bytes, int]:
        occurrence = cmd.p2 & 0x03
        answer = cmd.p2 & 0x0C  # 00 FCI, 04 FCP, 08 FMD, 0C none
        if cmd.p2 & 0xF0 or occurrence in (0x01, 0x03):
            raise CardError(SW.INCORRECT_P1P2)
        if cmd.p1 == 0x04:
            return self._select_by_name(cmd.data, next_occurrence=occurrence == 0x02, answer=answer)
        if cmd.p1 in (0x00, 0x02):
            if occurrence:
                raise CardError(SW.INCORRECT_P1P2)
            return self._select_by_fid(cmd, answer)
        raise CardError(SW.INCORRECT_P1P2)

    def _select_by_name(
        self, name: bytes, *, next_occurrence: bool, answer: int
    ) -> tuple[bytes, int]:
        if not name or len(name) > 16:
            raise CardError(SW.FILE_NOT_FOUND)
        if name == GP_ISD_AID:
            self._reset_logical_state()  # §2.2: restores the power-on MF state
            return self._fci_for_name(name, answer), SW.OK
        candidates = [a for a in self.applications if a.aid == name]
        if not candidates and self._prefix_allowed(name):
            candidates = [a for a in self.applications if a.aid.startswith(name)]
        if next_occurrence and self._app in candidates:
            candidates = candidates[candidates.index(self._app) + 1 :]
        if not candidates:
            raise CardError(SW.FILE_NOT_FOUND)
        app = candidates[0]
        if app is not self._app or self.profile.reselect_clears_security:
            self._verified.clear()  # security status is per AP (§2.2, §3)
        self._app = app
        self._ef = None
        return self._fci_for_name(app.aid, answer), SW.OK

    def _prefix_allowed(self, name: bytes) -> bool:
        return self.profile.partial_aid_select and len(name) >= self.profile.partial_aid_min

    def _fci_for_name(self, aid: bytes, answer: int) -> bytes:
        if answer == 0x0C or not self.profile.fci_on_select:
            return b""
        inner = b"\x84" + bytes([len(aid)]) + aid
        return b"\x6f" + bytes([len(inner)]) + inner

    def _select_by_fid(self, cmd: Command, answer: int) -> tuple[bytes, int]:
        if cmd.p1 == 0x00 and not cmd.data:  # select MF (§2.2, measured)
            if self._app is None:
                raise CardError(SW.INCORRECT_P1P2)
            return b"", SW.OK  # "90 00 but does nothing" with an AP current
        if len(cmd.data) != 2:
            raise CardError(SW.WRONG_LENGTH)
        fid = int.from_bytes(cmd.data, "big")
        if fid == MF_FID:
            raise CardError(SW.FILE_NOT_FOUND)
        found = self._files().get(fid)
        if found is None:
            raise CardError(SW.FILE_NOT_FOUND)
        self._ef = found
        return self._fci_for_file(found, answer), SW.OK

    def _fci_for_file(self, f: CardFile, answer: int) -> bytes:
        if answer == 0x0C or not self.profile.fci_on_select:
            return b""
        inner = b"\x83\x02" + f.fid.to_bytes(2, "big")
        if isinstance(f, BinaryFile):
            inner += b"\x80\x02" + len(f.data).to_bytes(2, "big")
        return b"\x6f" + bytes([len(inner)]) + inner

    def _files(self) -> dict[int, CardFile]:
        return self._app.files if self._app is not None else self._mf_files

    # -- READ BINARY / READ RECORD (§2.3) ------------------------------------------------------
    def _read_binary(self, cmd: Command) -> tuple[bytes, int]:
        if cmd.has_data or cmd.le is None:
            raise CardError(SW.WRONG_LENGTH)
        if cmd.p1 & 0x80:  # short EF identifier in P1, offset in P2
            if cmd.p1 & 0x60:
                raise CardError(SW.INCORRECT_P1P2)
            ef = self._by_sfi(cmd.p1 & 0x1F, SW.FILE_NOT_FOUND)
            self._ef = ef
            offset = cmd.p2
        else:
            ef = self._current_ef()
            offset = (cmd.p1 << 8) | cmd.p2
        if isinstance(ef, OpaqueFile):
            raise CardError(ef.sw)
        if not isinstance(ef, BinaryFile):
            raise CardError(SW.INCOMPATIBLE_FILE_STRUCTURE)
        self._check_access(ef.read)
        if offset >= len(ef.data):
            raise CardError(SW.OFFSET_OUTSIDE_EF)
        return ef.data[offset : offset + cmd.le], SW.OK

    def _read_record(self, cmd: Command) -> tuple[bytes, int]:
        if cmd.has_data or cmd.le is None:
            raise CardError(SW.WRONG_LENGTH)
        if cmd.p2 & 0x07 != 0x04:  # only "record number in P1" (§9: 6A 81 for other modes)
            raise CardError(SW.FUNCTION_NOT_SUPPORTED)
        sfi = cmd.p2 >> 3
        if sfi:
            ef = self._by_sfi(sfi, SW.FILE_NOT_FOUND)
            self._ef = ef
        else:
            ef = self._current_ef()
        if isinstance(ef, OpaqueFile):
            raise CardError(ef.sw)
        if not isinstance(ef, RecordFile):
            raise CardError(SW.INCOMPATIBLE_FILE_STRUCTURE)
        self._check_access(ef.read)
        if not 1 <= cmd.p1 <= len(ef.records):
            raise CardError(SW.RECORD_NOT_FOUND)
        return ef.records[cmd.p1 - 1][: cmd.le], SW.OK

    def _current_ef(self) -> CardFile:
        if self._ef is None:
            raise CardError(SW.NO_CURRENT_EF)
        return self._ef

    def _by_sfi(self, sfi: int, missing: int) -> CardFile:
        # Every EF of this card has a FID in 0001–001E, and its SFI is that number (§2.3).
        found = self._files().get(sfi) if sfi else None
        if found is None:
            raise CardError(missing)
        return found

    def _check_access(self, rule: frozenset[int] | None) -> None:
        if rule is not None and not (rule & self._verified):
            raise CardError(SW.SECURITY_STATUS_NOT_SATISFIED)

    # -- VERIFY / CHANGE (§2.4, §2.5) ----------------------------------------------------------
    def _pin_for(self, p2: int, *, allow_sfi: bool) -> PinFile:
        if p2 == 0x80:
            ef = self._current_ef()
            if not isinstance(ef, PinFile):
                raise CardError(SW.INCOMPATIBLE_FILE_STRUCTURE)
            return ef
        if p2 & 0xE0 == 0x80 and p2 & 0x1F and allow_sfi:
            ef = self._by_sfi(p2 & 0x1F, SW.DATA_NOT_FOUND)
            if not isinstance(ef, PinFile):
                raise CardError(SW.DATA_NOT_FOUND)
            return ef
        raise CardError(SW.INCORRECT_P1P2)

    def _tries_left(self, pin: PinFile) -> int:
        if pin.secret is None and not self.state.has_changed_secret(pin.counter):
            return 0  # a reference that nothing opens answers like a blocked one (§5.1, 0012)
        initial = pin.initial_tries if pin.initial_tries is not None else pin.max_tries
        return self.state.tries(pin.counter, initial)

    def _verify(self, cmd: Command) -> tuple[bytes, int]:
        if cmd.p1 != 0x00:
            raise CardError(SW.INCORRECT_P1P2)
        pin = self._pin_for(cmd.p2, allow_sfi=self.profile.verify_p2_sfi)
        tries = self._tries_left(pin)
        if not cmd.data:  # retry query, consumes nothing (§2.4)
            if cmd.le is not None and not self.profile.query_accepts_le:
                raise CardError(SW.WRONG_LENGTH)
            if self.profile.query_after_success_9000 and pin.fid in self._verified:
                return b"", SW.OK
            return b"", tries_sw(tries)
        if tries == 0:
            raise CardError(SW.REFERENCE_DATA_BLOCKED)  # every try after exhaustion: 69 84
        if self._matches(pin, cmd.data):
            self.state.set_tries(pin.counter, pin.max_tries)  # a correct PIN resets the counter
            self._verified.add(pin.fid)
            return b"", SW.OK
        tries -= 1
        self.state.set_tries(pin.counter, tries)
        self._verified.discard(pin.fid)
        return b"", tries_sw(tries)  # 63 C0 on the exhausting try

    def _matches(self, pin: PinFile, candidate: bytes) -> bool:
        if self.state.has_changed_secret(pin.counter):
            return self.state.matches_changed_secret(pin.counter, candidate)
        return pin.secret is not None and hmac.compare_digest(pin.secret, candidate)

    def _change_reference_data(self, cmd: Command) -> tuple[bytes, int]:
        # JPKI / 券面事項入力補助: 00 24 01 80; 住基 / 共通: 80 32 00 80 (§2.5).
        app = self._app
        if app is None or app.change_ins != (cmd.cla & 0x80, cmd.ins):
            raise CardError(SW.INS_NOT_SUPPORTED)
        if cmd.p1 != (0x01 if cmd.ins == 0x24 else 0x00):
            raise CardError(SW.INCORRECT_P1P2)
        pin = self._pin_for(cmd.p2, allow_sfi=False)
        if not cmd.data:
            raise CardError(SW.WRONG_LENGTH)
        if pin.accepts is None:
            raise CardError(SW.CONDITIONS_NOT_SATISFIED)
        if pin.fid not in self._verified:
            raise CardError(SW.SECURITY_STATUS_NOT_SATISFIED)
        if not pin.accepts(cmd.data):
            raise CardError(SW.INCORRECT_DATA)
        self.state.change_secret(pin.counter, cmd.data)
        return b"", SW.OK

    # -- keys (§4.3, §2.6) -----------------------------------------------------------------------
    def _key_for(self, p2: int) -> KeyFile:
        if p2 == 0x00:
            if self._app is None or self._app.default_key is None:
                raise CardError(SW.INCORRECT_P1P2)
            key = self._app.files.get(self._app.default_key)
        elif p2 == 0x80:
            key = self._current_ef()
            if not isinstance(key, KeyFile):
                raise CardError(SW.INCOMPATIBLE_FILE_STRUCTURE)
        elif p2 & 0xE0 == 0x80 and p2 & 0x1F:
            key = self._by_sfi(p2 & 0x1F, SW.DATA_NOT_FOUND)
        else:
            raise CardError(SW.INCORRECT_P1P2)
        if not isinstance(key, KeyFile):
            raise CardError(SW.DATA_NOT_FOUND)
        return key

    def _compute_digital_signature(self, cmd: Command) -> tuple[bytes, int]:
        if cmd.p1 > 0x05:
            raise CardError(SW.INCORRECT_P1P2)
        key = self._key_for(cmd.p2)
        if not key.compute_signature or key.key is None:
            raise CardError(SW.CONDITIONS_NOT_SATISFIED)
        if key.needs is not None and key.needs not in self._verified:
            raise CardError(SW.SECURITY_STATUS_NOT_SATISFIED)
        signature = sign(key.key, cmd.p1, cmd.data)
        if signature is None:
            raise CardError(self.profile.bad_signature_input_sw)
        return signature, SW.OK

    def _internal_authenticate(self, cmd: Command) -> tuple[bytes, int]:
        if cmd.p1 != 0x00:
            raise CardError(SW.INCORRECT_P1P2)
        key = self._key_for(cmd.p2)
        if not cmd.data:
            raise CardError(SW.WRONG_LENGTH)
        if key.internal_auth is InternalAuth.BEHIND_PIN:
            if key.needs is not None and key.needs not in self._verified:
                raise CardError(SW.SECURITY_STATUS_NOT_SATISFIED)
            raise CardError(SW.CONDITIONS_NOT_SATISFIED)
        if key.internal_auth is InternalAuth.REFUSED or key.key is None:
            raise CardError(SW.CONDITIONS_NOT_SATISFIED)
        return internal_authenticate(key.key, cmd.data), SW.OK

    # -- GET DATA / GET CHALLENGE (§8, §2.6) -----------------------------------------------------
    def _get_data(self, cmd: Command) -> tuple[bytes, int]:
        at_mf = self._app is None
        if at_mf != self.profile.get_data_at_mf:
            raise CardError(SW.DATA_NOT_FOUND)  # "a 6A88 in one state means try the other"
        value = self._data_objects.get((cmd.p1 << 8) | cmd.p2)
        if value is None:
            raise CardError(SW.DATA_NOT_FOUND)
        if cmd.le is not None and cmd.le < len(value):
            raise CardError(SW.WRONG_LENGTH)  # short Le on a larger object (§2.3)
        return value, SW.OK

    def _get_challenge(self, cmd: Command) -> tuple[bytes, int]:
        if cmd.p1 or cmd.p2:
            raise CardError(SW.INCORRECT_P1P2)
        if cmd.extended:
            raise CardError(SW.CONDITIONS_NOT_SATISFIED)  # extended form refused (§2.6)
        if cmd.le is None or cmd.has_data:
            raise CardError(SW.WRONG_LENGTH)
        return os.urandom(cmd.le), SW.OK
