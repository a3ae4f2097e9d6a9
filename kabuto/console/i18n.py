"""The console's words in Japanese and English.

Japanese labels of the register follow the register's own column names
(:func:`kabuto.register.table_columns`: 社債権者の氏名又は名称, 住所, 投資家ID, ...), so a page
and the CSV the export script writes say the same thing. The language is a cookie
(``kabuto_lang``) switched from every page; Japanese is the default.
"""

from __future__ import annotations

from dataclasses import dataclass

LANG_COOKIE = "kabuto_lang"
LANGUAGES = ("ja", "en")

# key -> (Japanese, English)
LABELS: dict[str, tuple[str, str]] = {
    "console": ("発行体コンソール", "Issuer console"),
    "login": ("ログイン", "Log in"),
    "logout": ("ログアウト", "Log out"),
    "token_field": ("APIトークン", "API token"),
    "token_help": (
        "役割ごとのAPIトークン（`ape run service token --role ROLE` で発行）",
        "The API token of your role (made with `ape run service token --role ROLE`)",
    ),
    "bad_token": ("APIトークンが無効です", "This API token is not valid"),
    "language": ("言語", "Language"),
    "role": ("役割", "Role"),
    "tokens": ("銘柄", "Tokens"),
    "queues": ("承認待ち", "Queues"),
    "investors": ("投資家", "Investors"),
    "corporate": ("元利金・分配金", "Corporate actions"),
    "jobs": ("ジョブ", "Jobs"),
    "not_allowed": (
        "この役割ではこのページを表示できません",
        "Your role may not open this page",
    ),
    "symbol": ("シンボル", "Symbol"),
    "name": ("銘柄", "Issue name"),
    "category": ("区分", "FIEA category"),
    "kind": ("種類", "Kind"),
    "supply": ("総供給量（口数）", "Supply (units)"),
    "issued_total": ("発行済口数累計", "Units ever issued"),
    "issue_limit": ("発行上限", "Issue limit"),
    "holders": ("保有者数", "Holders"),
    "holder_cap": ("保有者数上限", "Holder cap"),
    "no_limit": ("上限なし", "no limit"),
    "terms": ("条件", "Terms"),
    "rules": ("譲渡制限", "Transfer rules"),
    "documents": ("書類 (ERC-1643)", "Documents (ERC-1643)"),
    "record_dates": ("基準日", "Record dates"),
    "register": ("原簿", "Register"),
    "register_at": ("時点", "As of"),
    "latest_block": ("最新ブロック", "Latest block"),
    "block": ("ブロック番号", "Block"),
    "show": ("表示", "Show"),
    "download_csv": ("CSVダウンロード", "Download CSV"),
    "download_json": ("JSONダウンロード", "Download JSON"),
    "page": ("ページ", "Page"),
    "next": ("次へ", "Next"),
    "previous": ("前へ", "Previous"),
    "of": ("／", "of"),
    # the register's columns (kabuto.register.table_columns)
    "holder_name_bond": ("社債権者の氏名又は名称", "Bondholder name"),
    "holder_name_trust": ("受益者の氏名又は名称", "Beneficiary name"),
    "address": ("住所", "Address"),
    "person_name": ("氏名又は名称", "Name"),
    "investor_id": ("投資家ID", "Investor id"),
    "wallet": ("ウォレットアドレス", "Wallet address"),
    "acquired_on": ("取得日", "Acquired on"),
    "units": ("口数", "Units"),
    "amount": ("金額", "Amount (yen)"),
    "units_total": ("保有口数合計", "Units held"),
    "tax_status": ("課税区分", "Tax status"),
    "hidden_personal": (
        "（この役割には氏名・住所は表示されません）",
        "(names and addresses are not shown to this role)",
    ),
    "reconciliation": ("照合", "Reconciliation"),
    # terms and rules (kabuto.console.chainfacts keys; the register's header wording)
    "face_value": ("各社債の金額", "Face value per bond"),
    "coupon_rate": ("利率", "Coupon rate"),
    "coupons_per_year": ("利払回数（年）", "Coupons a year"),
    "issue_date": ("払込日", "Issue date"),
    "maturity_date": ("償還期限", "Maturity"),
    "redemption_value": ("償還金額", "Redemption per bond"),
    "interest_payment_dates": ("利払日", "Interest payment dates"),
    "interest_record_dates": ("利払基準日", "Interest record dates"),
    "issue_price": ("発行価額", "Issue price per unit"),
    "distribution_record_dates": ("分配基準日", "Distribution record dates"),
    "distribution_payment_dates": ("分配金支払日", "Distribution dates"),
    "payment_token": ("支払通貨（トークン）", "Payment token"),
    "allowed_classes": ("取得可能な投資家区分", "Classes that may hold"),
    "max_balance": ("保有上限（口数）", "Maximum holding"),
    "min_holding": ("最低保有口数", "Minimum holding"),
    "lock_up_until": ("ロックアップ期限", "Lock-up until"),
    "qii_resale_only": ("QII限定転売", "QII resale only"),
    "approval_required": ("譲渡に発行体の承認が必要", "Transfers need approval"),
    "yes": ("あり", "yes"),
    "no": ("なし", "no"),
    # queues
    "applications": ("譲渡承認申請", "Transfer applications"),
    "dvp": ("DvP指図", "DvP instructions"),
    "application_id": ("申請番号", "Application"),
    "sender": ("譲渡人", "From"),
    "recipient": ("譲受人", "To"),
    "expiry": ("有効期限", "Expires"),
    "expired": ("期限切れ", "expired"),
    "status": ("状態", "Status"),
    "approve": ("承認", "Approve"),
    "reject": ("却下", "Reject"),
    "reason": ("却下理由", "Reason for rejecting"),
    "reason_required": ("却下には理由が必要です", "A reason is required to reject"),
    "none_pending": ("承認待ちはありません", "Nothing is waiting"),
    "submitted_job": ("ジョブを登録しました", "Job submitted"),
    "instruction": ("指図", "Instruction"),
    "created_block": ("作成ブロック", "Created at block"),
    # investors
    "search": ("検索", "Search"),
    "search_help": (
        "投資家ID、ウォレットアドレス、氏名",
        "Investor id, wallet address or name",
    ),
    "class": ("投資家区分", "Class"),
    "kyc_expiry": ("KYC期限", "KYC expiry"),
    "kyc_soon": ("30日以内に期限", "expires within 30 days"),
    "kyc_past": ("期限切れ", "expired"),
    "wallets": ("ウォレット（現在・過去）", "Wallets (current and past)"),
    "current": ("現在", "current"),
    "replaced": ("置換済", "replaced"),
    "holdings": ("保有銘柄", "Holdings"),
    "audit": ("監査証跡", "Audit trail"),
    "event": ("イベント", "Event"),
    "contract": ("コントラクト", "Contract"),
    "tx": ("トランザクション", "Transaction"),
    "time": ("日時 (JST)", "Time (JST)"),
    "no_results": ("該当なし", "No match"),
    "frozen": ("凍結", "frozen"),
    # corporate actions
    "calendar": ("支払予定", "Payment calendar"),
    "payment": ("支払", "Payment"),
    "payment_date": ("支払日", "Payment date"),
    "record_date": ("基準日", "Record date"),
    "funded": ("入金額", "Funded"),
    "paid": ("支払済", "Paid"),
    "withheld": ("源泉徴収額", "Withheld"),
    "held": ("留保", "Held"),
    "unpaid": ("未払", "Unpaid"),
    "reconciles": ("照合一致", "reconciles"),
    "not_reconciled": ("照合不一致", "does not reconcile"),
    "who_held": ("留保先と理由", "Held: who and why"),
    "chart": ("供給量と保有者数の推移", "Supply and holders over time"),
    "gross": ("総額", "Gross"),
    "net": ("手取額", "Net"),
    # jobs
    "upload": ("アップロード", "Upload"),
    "investors_csv": ("投資家CSV（登録）", "Investors CSV (onboarding)"),
    "term_sheet": ("発行条件書 (YAML)", "Term sheet (YAML)"),
    "allocation": ("割当CSV", "Allocation CSV"),
    "executions": ("約定CSV（取引所）", "Venue executions CSV"),
    "check_and_run": ("検証して実行", "Check and run"),
    "input_errors": ("入力エラー（何も送信していません）", "Input errors (nothing was sent)"),
    "row": ("行", "Row"),
    "field": ("項目", "Field"),
    "message": ("内容", "Message"),
    "job": ("ジョブ", "Job"),
    "progress": ("進捗", "Progress"),
    "recent_jobs": ("最近のジョブ", "Recent jobs"),
    "submitted_by": ("登録者", "Submitted by"),
    "job_kind": ("種類", "Kind"),
}


@dataclass(frozen=True)
class Words:
    """The labels of one language: ``words("tokens")`` or ``words.tokens`` in templates."""

    lang: str

    def __call__(self, key: str) -> str:
        pair = LABELS.get(key)
        if pair is None:
            return key
        return pair[0] if self.lang == "ja" else pair[1]

    def __getattr__(self, key: str) -> str:
        if key.startswith("_"):
            raise AttributeError(key)
        return self(key)


def language(value: str | None) -> str:
    """The language a cookie or query names (Japanese unless it says English)."""
    return value if value in LANGUAGES else "ja"
