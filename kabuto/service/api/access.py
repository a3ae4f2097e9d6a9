"""Who may call which endpoint: one table, used by the endpoints themselves and by the
endpoint x role test (every endpoint with every role's token and none).

Reads follow what each role works with; only the issuer's and the auditor's tokens get
personal data (names, addresses). Writes are operator jobs of one role each, as the scripts'
signing accounts are: the registrar onboards and recovers wallets, the issuer issues and
decides applications, the paying agent pays and redeems, compliance freezes and forces
transfers. The auditor reads everything and writes nothing.
"""

from __future__ import annotations

from kabuto.service.auth import ALL_ROLES, Role

R, ISS, A, C, P, AU = (
    Role.REGISTRAR,
    Role.ISSUER,
    Role.AGENT,
    Role.COMPLIANCE,
    Role.PAYING_AGENT,
    Role.AUDITOR,
)

ACCESS: dict[str, tuple[Role, ...]] = {
    # reads
    "index_status": ALL_ROLES,
    "investors": (R, ISS, C, AU),
    "tokens": ALL_ROLES,
    "holdings": (ISS, A, C, P, AU),
    "register": (ISS, A, C, P, AU),
    "applications": (ISS, A, C, AU),
    "dvp_instructions": (ISS, A, C, AU),
    "venue_batches": (ISS, A, C, AU),
    "offerings": (ISS, A, AU),
    "payments": (ISS, P, AU),
    "holder_payments": (ISS, P, AU),
    "events": (ISS, C, AU),
    "jobs_read": ALL_ROLES,
    # operator jobs
    "onboard": (R,),
    "issue": (ISS,),
    "approve": (ISS,),
    "reject": (ISS,),
    "pay": (P,),
    "redeem": (P,),
    "freeze": (C,),
    "forced_transfer": (ISS,),  # signed by the issuer, as `ape run operate force-transfer`
    "recovery": (R,),
    "settle_batch": (A,),  # signed by the venue agent, as `ape run settle_batch`
}
