"""Key derivation, the keyed permutation and polarity, and the block built from them."""

from __future__ import annotations

import numpy as np
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from printing.security import BackSideKeys, SecurityPrintingError
from printing.security.grid import build_block, layout_mismatches, source_bits
from printing.security.keys import Scrambler, document_key
from printing.security.layout import (
    BLOCK_COLS,
    BLOCK_ROWS,
    CHECK_PATTERN_BITS,
    block_geometry,
    check_pattern,
    source_geometry,
)

MASTER = bytes(range(32))


def test_document_keys_differ_per_serial_issuer_and_version() -> None:
    base = document_key(MASTER, issuer="A", serial="S-1", layout_version=1)
    assert base == document_key(MASTER, issuer="A", serial="S-1", layout_version=1)
    others = {
        document_key(MASTER, issuer="A", serial="S-2", layout_version=1),
        document_key(MASTER, issuer="B", serial="S-1", layout_version=1),
        document_key(MASTER, issuer="A", serial="S-1", layout_version=2),
        document_key(bytes(32), issuer="A", serial="S-1", layout_version=1),
        # Field boundaries cannot run together ("A"+"S-1" vs "AS"+"-1").
        document_key(MASTER, issuer="AS", serial="-1", layout_version=1),
    }
    assert base not in others
    assert len(others) == 5


def test_permutation_is_a_permutation_and_round_trips() -> None:
    rng = np.random.default_rng(7)
    scrambler = Scrambler.for_page(b"k" * 32, 0, 10_000)
    assert np.array_equal(np.sort(scrambler.order), np.arange(10_000))
    source = rng.random(9_000) < 0.3
    sites = scrambler.scramble(source)
    assert sites.size == 10_000
    assert np.array_equal(scrambler.unscramble_bits(sites, source.size), source)
    # Soft values: +1 = ink. Polarity flips sign; magnitudes survive.
    soft = np.where(sites, 1.0, -1.0) * rng.uniform(0.5, 1.5, sites.size)
    restored = scrambler.unscramble_soft(soft, source.size)
    assert np.array_equal(restored > 0, source)


def test_permutation_is_the_stable_order_of_the_keystream_words(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The order is the words' stable sort (the center and every verifier must agree on it),
    also when words tie — the quicksort the verifier uses would then order them freely."""
    from printing.security import keys

    words = np.frombuffer(
        keys._keystream(keys._subkey(b"k" * 32, "KSB permutation", 0), 8 * 10_000), dtype="<u8"
    )
    assert np.array_equal(
        Scrambler.for_page(b"k" * 32, 0, 10_000).order, np.argsort(words, kind="stable")
    )
    tied = np.repeat(np.arange(500, 0, -1, dtype="<u8"), 20)  # every word 20 times
    monkeypatch.setattr(keys, "_keystream", lambda key, length: tied.tobytes()[:length])
    order = Scrambler.for_page(b"k" * 32, 0, tied.size).order
    assert np.array_equal(order, np.argsort(tied, kind="stable"))


def test_scramble_hides_the_source_statistics() -> None:
    """A mostly white page (as a certificate is) scrambles to ~50 % ink: polarity at work."""
    scrambler = Scrambler.for_page(b"k" * 32, 0, 100_000)
    sites = scrambler.scramble(np.zeros(90_000, dtype=bool))
    assert 0.48 < sites.mean() < 0.52


def test_pages_and_keys_give_unrelated_permutations() -> None:
    a = Scrambler.for_page(b"k" * 32, 0, 50_000)
    b = Scrambler.for_page(b"k" * 32, 1, 50_000)
    c = Scrambler.for_page(b"j" * 32, 0, 50_000)
    for other in (b, c):
        assert np.mean(a.order == other.order) < 0.01
        assert 0.45 < np.mean(a.polarity == other.polarity) < 0.55


def test_wrong_key_restores_noise_and_fails_the_check_pattern() -> None:
    capacity = block_geometry().data_capacity
    source = np.zeros(capacity - CHECK_PATTERN_BITS, dtype=bool)
    bits = source_bits(source)
    sites = Scrambler.for_page(b"k" * 32, 0, capacity).scramble(bits)
    right = Scrambler.for_page(b"k" * 32, 0, capacity).unscramble_bits(sites, bits.size)
    wrong = Scrambler.for_page(b"x" * 32, 0, capacity).unscramble_bits(sites, bits.size)
    assert np.mean(right[-CHECK_PATTERN_BITS:] == check_pattern()) == 1.0
    assert 0.42 < np.mean(wrong[-CHECK_PATTERN_BITS:] == check_pattern()) < 0.58


def test_block_has_the_layouts_fixed_modules_and_pilots() -> None:
    geometry = block_geometry()
    raster = np.zeros((10, 10), dtype=bool)
    block = build_block(raster, Scrambler.for_page(b"k" * 32, 0, geometry.data_capacity))
    assert block.shape == (BLOCK_ROWS, BLOCK_COLS)
    assert layout_mismatches(block) == 0
    tampered = block.copy()
    tampered[0, 0] = ~tampered[0, 0]  # a fiducial module
    assert layout_mismatches(tampered) == 1
    # Sync markers and pilots take ~4 % of the block, the rest carries data.
    assert 0.94 < geometry.data_capacity / block.size < 0.97


def test_fiducials_are_the_opencv_aruco_markers() -> None:
    import cv2

    from printing.security.layout import FIDUCIAL_CELLS, fiducial_bits

    dictionary = cv2.aruco.getPredefinedDictionary(cv2.aruco.DICT_4X4_50)
    for marker_id in range(4):
        image = cv2.aruco.generateImageMarker(dictionary, marker_id, FIDUCIAL_CELLS, borderBits=1)
        assert np.array_equal(fiducial_bits(marker_id), image == 0)


def test_source_geometry_fits_the_block_at_about_95_dpi() -> None:
    geometry = source_geometry((15.0, 15.0, 180.0, 262.0))
    assert geometry.pixel_count + CHECK_PATTERN_BITS <= block_geometry().data_capacity
    assert 90 <= geometry.dpi <= 100
    small = source_geometry((50.0, 50.0, 50.0, 50.0))
    assert small.dpi == 100.0  # capped: more resolution than the scan can carry is noise
    with pytest.raises(ValueError, match="positive"):
        source_geometry((0.0, 0.0, 0.0, 10.0))


def test_back_side_keys_validate_their_material() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    assert BackSideKeys(MASTER, key, "doc-1").key_id == b"doc-1"
    with pytest.raises(SecurityPrintingError, match="master key"):
        BackSideKeys(b"short", key, b"doc-1")
    with pytest.raises(SecurityPrintingError, match="P-256"):
        BackSideKeys(MASTER, ec.generate_private_key(ec.SECP384R1()), b"doc-1")
    with pytest.raises(SecurityPrintingError, match="key id"):
        BackSideKeys(MASTER, key, b"")
    assert "scramble_master_key" not in repr(BackSideKeys(MASTER, key, b"doc-1"))
