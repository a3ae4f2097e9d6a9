"""Who may open which console page and press which button: the same roles as the service's
API (kabuto.service.auth). Names and addresses are shown only to the roles the service
decrypts personal data for (issuer, auditor)."""

from __future__ import annotations

from kabuto.service.auth import PERSONAL_DATA_ROLES, Role

R = Role
PAGE_ROLES: dict[str, frozenset[Role]] = {
    # every role reads the securities and their registers (names only for PERSONAL_DATA_ROLES)
    "tokens": frozenset(Role),
    "queues": frozenset({R.ISSUER, R.AGENT, R.COMPLIANCE, R.AUDITOR}),
    "investors": frozenset({R.REGISTRAR, R.ISSUER, R.COMPLIANCE, R.AUDITOR}),
    "corporate": frozenset({R.ISSUER, R.PAYING_AGENT, R.AUDITOR}),
    "jobs": frozenset({R.REGISTRAR, R.ISSUER, R.AGENT}),
}
# actions (each also a page above)
APPROVE_ROLES = frozenset({R.ISSUER})  # the issuer approves or rejects applications
JOB_ROLES: dict[str, frozenset[Role]] = {
    "onboard": frozenset({R.REGISTRAR}),
    "issue": frozenset({R.ISSUER}),
    "settle_batch": frozenset({R.AGENT}),
}
NAV = ("tokens", "queues", "investors", "corporate", "jobs")


def may_open(role: Role, page: str) -> bool:
    return role in PAGE_ROLES[page]


def sees_personal_data(role: Role) -> bool:
    return role in PERSONAL_DATA_ROLES
