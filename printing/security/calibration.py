"""Per-printer parameters of the copy-deterrent background and the latent image.

security-printing.md §3.2: the dot geometry that hides 複写 on the original and shows it on a
copy depends on the printer and the copiers it must defeat, and the metameric ink pair of the
latent image must be matched on the target printer with a measured chart. So both are data,
set per printer model from a printed calibration chart (``calibration_chart``). The defaults
are the chart's patch that hides 複写 best on a 600-dpi print across the print model's dot gain
(σ 0.3–0.7 device px: |contrast| ≤ 0.012 of reflectance, outline ≤ 0.007) while a 300-, 600-
or 1200-dpi copier shows it (benchmarks/copy_word.py; docs/security-printing.md, "Hiding 複写
on the original"): isolated 1-px dots grow more than 3×3 clusters, so the word's screen carries
a little more nominal ink (7.4 % against 6.25 %) to print as dark as the background.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import CalibrationError

CMYK = tuple[float, float, float, float]

SUPPORTED_DEVICE_DPI = (600, 1200)
# Mean ink coverage of the clustered (word) and dispersed (background) screens must match
# within this ratio, or the word shows on the original (§3.1: "same mean ink coverage").
MAX_COVERAGE_RATIO = 1.25


@dataclass(frozen=True)
class PrintCalibration:
    """What the kiosk needs to know about its printer to draw the security features.

    Void pantograph (§3.1–3.2), K only at device resolution: the background is square dots of
    ``background_dot_px`` every ``background_pitch_px``; the hidden word ``copy_word`` is square
    clusters of ``word_dot_px`` every ``word_pitch_px``, both at the same mean coverage.

    Latent image (§3.3): the cherry blossom is ``flower_cmyk`` (no K); the circled 証 inside it is
    ``latent_cmyk``, a colour with K that matches the flower visually on this printer. CMY
    toners are transparent in near infrared and carbon-black K is not, so an IR camera shows
    the 証; a copier re-separates colour with its own black generation and loses it.
    """

    device_dpi: int = 600
    background_dot_px: int = 1
    background_pitch_px: int = 4
    word_dot_px: int = 3
    word_pitch_px: int = 11
    copy_word: str = "複写"
    word_height_mm: float = 14.0
    flower_cmyk: CMYK = (0.25, 0.5, 0.3, 0.0)
    # Matched to flower_cmyk under the subtractive model (1−c)(1−k) = 1−c' per channel.
    latent_cmyk: CMYK = (0.0625, 0.375, 0.125, 0.2)
    pantograph_on_back: bool = True

    def __post_init__(self) -> None:
        if self.device_dpi not in SUPPORTED_DEVICE_DPI:
            raise CalibrationError(f"device_dpi must be one of {SUPPORTED_DEVICE_DPI}")
        for dot, pitch, name in (
            (self.background_dot_px, self.background_pitch_px, "background"),
            (self.word_dot_px, self.word_pitch_px, "word"),
        ):
            if not (isinstance(dot, int) and isinstance(pitch, int) and 1 <= dot < pitch <= 64):
                raise CalibrationError(f"{name} dots must be 1 ≤ dot < pitch ≤ 64 device px")
        ratio = self.word_coverage / self.background_coverage
        if not 1 / MAX_COVERAGE_RATIO <= ratio <= MAX_COVERAGE_RATIO:
            raise CalibrationError(
                f"word and background coverage differ too much ({ratio:.2f}×): the word "
                "would show on the original"
            )
        if not self.copy_word or len(self.copy_word) > 8:
            raise CalibrationError("copy_word must be 1–8 characters")
        if not 5.0 <= self.word_height_mm <= 60.0:
            raise CalibrationError("word_height_mm must be 5–60 mm")
        for name, colour in (("flower_cmyk", self.flower_cmyk), ("latent_cmyk", self.latent_cmyk)):
            if len(colour) != 4 or not all(0.0 <= v <= 1.0 for v in colour):
                raise CalibrationError(f"{name} must be four values in 0..1")
        if self.flower_cmyk[3] != 0.0:
            raise CalibrationError("flower_cmyk must contain no K (it is the IR-transparent ink)")
        if self.latent_cmyk[3] < 0.05:
            raise CalibrationError("latent_cmyk needs K ≥ 0.05 to show in infrared")

    @property
    def background_coverage(self) -> float:
        return (self.background_dot_px / self.background_pitch_px) ** 2

    @property
    def word_coverage(self) -> float:
        return (self.word_dot_px / self.word_pitch_px) ** 2

    @property
    def pt_per_device_px(self) -> float:
        return 72 / self.device_dpi
