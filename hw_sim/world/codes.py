"""Local government codes (全国地方公共団体コード, JIS X 0402) and their check digit.

A code is 2 digits of prefecture (JIS X 0401) + 3 digits of municipality + 1 check digit. The
check digit (検査数字) is modulus 11 with weights 6, 5, 4, 3, 2 over the first five digits:
``(11 - sum % 11) % 10`` — i.e. the last digit of ``11 - remainder`` (remainder 0 → 1,
remainder 1 → 0). Examples: 札幌市 01100 → 011002, 神戸市 28100 → 281000 (remainder 1),
宇都宮市 09201 → 092011 (remainder 0).
"""

from __future__ import annotations

_WEIGHTS = (6, 5, 4, 3, 2)


def check_digit(code5: str) -> int:
    """The check digit of a 5-digit local government code."""
    if len(code5) != 5 or not code5.isascii() or not code5.isdigit():
        raise ValueError(f"a local government code has 5 digits before its check digit: {code5!r}")
    remainder = sum(int(d) * w for d, w in zip(code5, _WEIGHTS, strict=True)) % 11
    return (11 - remainder) % 10


def with_check_digit(code5: str) -> str:
    """The 6-digit code: ``code5`` followed by its check digit."""
    return f"{code5}{check_digit(code5)}"


def is_valid_code(code6: str) -> bool:
    """True when ``code6`` is six ASCII digits whose last one is the right check digit."""
    if len(code6) != 6 or not code6.isascii() or not code6.isdigit():
        return False
    return check_digit(code6[:5]) == int(code6[5])


PREFECTURES: dict[str, str] = {
    "01": "北海道", "02": "青森県", "03": "岩手県", "04": "宮城県", "05": "秋田県",
    "06": "山形県", "07": "福島県", "08": "茨城県", "09": "栃木県", "10": "群馬県",
    "11": "埼玉県", "12": "千葉県", "13": "東京都", "14": "神奈川県", "15": "新潟県",
    "16": "富山県", "17": "石川県", "18": "福井県", "19": "山梨県", "20": "長野県",
    "21": "岐阜県", "22": "静岡県", "23": "愛知県", "24": "三重県", "25": "滋賀県",
    "26": "京都府", "27": "大阪府", "28": "兵庫県", "29": "奈良県", "30": "和歌山県",
    "31": "鳥取県", "32": "島根県", "33": "岡山県", "34": "広島県", "35": "山口県",
    "36": "徳島県", "37": "香川県", "38": "愛媛県", "39": "高知県", "40": "福岡県",
    "41": "佐賀県", "42": "長崎県", "43": "熊本県", "44": "大分県", "45": "宮崎県",
    "46": "鹿児島県", "47": "沖縄県",
}  # fmt: skip
"""JIS X 0401 prefecture codes: the first two digits of every local government code."""
