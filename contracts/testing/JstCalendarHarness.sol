// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {JstCalendar} from "../corporate/JstCalendar.sol";

/// @title JstCalendarHarness
/// @notice TEST ONLY. Exposes the JstCalendar library so tests can compare it with Python's calendar.
contract JstCalendarHarness {
    function dayOf(uint256 timestamp) external pure returns (uint256) {
        return JstCalendar.dayOf(timestamp);
    }

    function isWholeMonths(uint256 start, uint256 end, uint256 months) external pure returns (bool) {
        return JstCalendar.isWholeMonths(start, end, months);
    }

    function addMonths(uint256 day, uint256 months, bool forward) external pure returns (uint256) {
        return JstCalendar.addMonths(day, months, forward);
    }

    function civilFromDays(uint256 day) external pure returns (uint256 y, uint256 m, uint256 d) {
        return JstCalendar.civilFromDays(day);
    }
}
