"""Input files operators keep in spreadsheets and editors, validated before anything is sent.

Every loader returns validated models or raises :class:`kabuto.errors.InputError` listing
every problem of the file (file, spreadsheet row or YAML line, field, what to fix).
"""

from kabuto.inputs.allocations import AllocationRow, load_allocations
from kabuto.inputs.crosscheck import allocation_issues, check_allocations
from kabuto.inputs.executions import ExecutionRow, load_executions
from kabuto.inputs.investors import InvestorRow, load_investors
from kabuto.inputs.loaded import LoadedRows
from kabuto.inputs.termsheet import TermSheet, load_term_sheet

__all__ = [
    "AllocationRow",
    "ExecutionRow",
    "InvestorRow",
    "LoadedRows",
    "TermSheet",
    "allocation_issues",
    "check_allocations",
    "load_allocations",
    "load_executions",
    "load_investors",
    "load_term_sheet",
]
