"""The municipality's own Japanese wording: refusal messages, registration receipts and
statuses. The kiosk shows its translated text by reason code; these travel alongside (the
source document: "戸籍データの紐付けに要する日数や連絡先等の市区町村メッセージを表示")."""

from __future__ import annotations

from hw_sim.municipality.api import RegistrationState
from hw_sim.world.municipalities import Municipality
from kiosk.domain import RefusalReason

_REFUSALS: dict[RefusalReason, str] = {
    RefusalReason.RESIDENT_NOT_FOUND: "住民記録が確認できません。",
    RefusalReason.MOVED_OUT: "転出等により、この証明書は交付できません。",
    # 支援措置: neutral on purpose — nothing says why (the kiosk shows "ask at the counter").
    RefusalReason.SUPPORT_MEASURES: "この証明書はコンビニ交付では交付できません。",
    RefusalReason.UNDER_AGE_EXCLUDED: "15歳未満の方はコンビニ交付をご利用いただけません。",
    RefusalReason.CHARACTERS_NOT_SUPPORTED: (
        "登録されている文字の都合により、コンビニ交付では交付できません。"
    ),
    RefusalReason.NOT_OFFERED: "この証明書・サービスはコンビニ交付の対象外です。",
    RefusalReason.NO_RECORD: "交付できる記録がありません。",
    RefusalReason.NOT_REGISTERED: "本籍地の証明書の交付には利用登録が必要です。",
    RefusalReason.OUT_OF_HOURS: "現在はサービス提供時間外です。",
    RefusalReason.WEEKDAYS_ONLY: "この証明書は開庁日のみ交付しています。",
    RefusalReason.YEAR_END_CLOSURE: "年末年始（12月29日〜1月3日）はサービスを停止しています。",
    RefusalReason.MAINTENANCE: "システム保守のため、現在サービスを停止しています。",
    RefusalReason.ALREADY_REGISTERED: "このカードは既に利用登録済み、または申請の審査中です。",
    RefusalReason.INVALID_APPLICATION: "申請内容に不足があります。入力内容をご確認ください。",
}
_COUNTER = "詳しくは{office}の窓口にお問い合わせください。"


def refusal_message(municipality: Municipality, reason: RefusalReason) -> str:
    """The municipality's message for a refusal: the reason's text and where to ask."""
    if reason is RefusalReason.SUPPORT_MEASURES:
        return _REFUSALS[reason] + _COUNTER.format(office=municipality.office_name)
    text = _REFUSALS[reason]
    if reason in (
        RefusalReason.MOVED_OUT,
        RefusalReason.UNDER_AGE_EXCLUDED,
        RefusalReason.CHARACTERS_NOT_SUPPORTED,
        RefusalReason.NO_RECORD,
    ):
        text += _COUNTER.format(office=municipality.office_name)
    return text


def receipt_message(municipality: Municipality, office_days: int) -> str:
    """What the kiosk shows after an application: days needed, how to check, contact."""
    return (
        f"{municipality.name}で利用登録申請を受け付けました。"
        f"戸籍情報との紐付けには{office_days}開庁日程度かかります。"
        "登録状況は申請番号で確認できます。"
        f"お問い合わせ：{municipality.contact}"
    )


def status_message(municipality: Municipality, state: RegistrationState) -> str:
    if state is RegistrationState.RECEIVED:
        return "申請を受け付け、内容を確認しています。しばらくお待ちください。"
    if state is RegistrationState.REGISTERED:
        return (
            f"利用登録が完了しました。{municipality.name}の戸籍証明書等を"
            "コンビニ交付で取得できます。"
        )
    return (
        "申請内容と戸籍の記載が一致しないため、登録できませんでした。"
        f"お手数ですが、{municipality.contact}までお問い合わせください。"
    )
