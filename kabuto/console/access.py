"""Who may open which console page and press which button: the service API's own table
(kabuto.service.api.access.ACCESS), so the console and the API never disagree. Names and
addresses are shown only to the roles the service decrypts personal data for."""

from __future__ import annotations

from kabuto.service.api.access import ACCESS
from kabuto.service.auth import PERSONAL_DATA_ROLES, Role

# page -> the API reads it shows
PAGE_READS: dict[str, str] = {
    "tokens": "tokens",
    "queues": "applications",
    "investors": "investors",
    "corporate": "payments",
    "jobs": "jobs_read",
}
PAGE_ROLES: dict[str, frozenset[Role]] = {p: frozenset(ACCESS[k]) for p, k in PAGE_READS.items()}
REGISTER_ROLES = frozenset(ACCESS["register"])
APPROVE_ROLES = frozenset(ACCESS["approve"]) & frozenset(ACCESS["reject"])
# the console's upload jobs (the service's job kinds with files) and who submits them; the
# venue's executions are settled by the venue agent (the agent role)
UPLOAD_ROLES: dict[str, frozenset[Role]] = {
    "onboard": frozenset(ACCESS["onboard"]),
    "issue": frozenset(ACCESS["issue"]),
    "settle_batch": frozenset(ACCESS.get("settle_batch", (Role.AGENT,))),
}
UPLOAD_KINDS = tuple(UPLOAD_ROLES)
NAV = tuple(PAGE_READS)


def job_roles(kind: str) -> frozenset[Role]:
    return UPLOAD_ROLES.get(kind, frozenset(ACCESS.get(kind, ())))


def may_open(role: Role, page: str) -> bool:
    return role in PAGE_ROLES[page]


def sees_personal_data(role: Role) -> bool:
    return role in PERSONAL_DATA_ROLES
