// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

/// @title JstCalendar
/// @notice Calendar arithmetic on Japan Standard Time days (UTC+9, no daylight saving), enough
/// to tell a regular coupon period from an odd one and to count its days.
/// @dev Day numbers count days since 1970-01-01. Civil conversions follow H. Hinnant's
/// `days_from_civil` / `civil_from_days` (public domain), restricted to dates from 1970 on, so
/// every intermediate value is non-negative.
library JstCalendar {
    uint256 private constant _JST_OFFSET = 9 hours;

    /// @notice The JST day number of a unix timestamp.
    function dayOf(uint256 timestamp) internal pure returns (uint256) {
        return (timestamp + _JST_OFFSET) / 1 days;
    }

    /// @notice Days from the JST day of `start` to the JST day of `end` (`end` not before `start`).
    function daysBetween(uint256 start, uint256 end) internal pure returns (uint256) {
        return dayOf(end) - dayOf(start);
    }

    /// @notice True when day number `day` is Monday to Friday (1970-01-01 was a Thursday).
    function isWeekday(uint256 day) internal pure returns (bool) {
        return (day + 3) % 7 < 5;
    }

    /// @notice True when the period from `start` to `end` (timestamps) is exactly `months`
    /// calendar months, counted forward from the start or back from the end, so month-end
    /// schedules (31 Aug to 28 Feb and back) are regular too.
    function isWholeMonths(uint256 start, uint256 end, uint256 months) internal pure returns (bool) {
        uint256 startDay = dayOf(start);
        uint256 endDay = dayOf(end);
        return addMonths(startDay, months, true) == endDay || addMonths(endDay, months, false) == startDay;
    }

    /// @notice Day `day` moved `months` forward (or back), clamped to the end of a shorter month.
    function addMonths(uint256 day, uint256 months, bool forward) internal pure returns (uint256) {
        (uint256 y, uint256 m, uint256 d) = civilFromDays(day);
        uint256 index = y * 12 + (m - 1);
        index = forward ? index + months : index - months;
        y = index / 12;
        m = index % 12 + 1;
        uint256 last = daysInMonth(y, m);
        return daysFromCivil(y, m, d < last ? d : last);
    }

    function daysInMonth(uint256 y, uint256 m) internal pure returns (uint256) {
        if (m == 2) return (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) ? 29 : 28;
        return (m == 4 || m == 6 || m == 9 || m == 11) ? 30 : 31;
    }

    /// @notice Day number of a proleptic Gregorian date from 1970-01-01 on.
    function daysFromCivil(uint256 y, uint256 m, uint256 d) internal pure returns (uint256) {
        if (m <= 2) y -= 1;
        uint256 era = y / 400;
        uint256 yoe = y - era * 400; // [0, 399]
        uint256 doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; // [0, 365]
        uint256 doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; // [0, 146096]
        return era * 146097 + doe - 719468;
    }

    /// @notice The date (year, month 1-12, day 1-31) of a day number.
    function civilFromDays(uint256 day) internal pure returns (uint256 y, uint256 m, uint256 d) {
        uint256 z = day + 719468;
        uint256 era = z / 146097;
        uint256 doe = z - era * 146097; // [0, 146096]
        uint256 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; // [0, 399]
        uint256 doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
        uint256 mp = (5 * doy + 2) / 153; // [0, 11], March-based
        d = doy - (153 * mp + 2) / 5 + 1;
        m = mp < 10 ? mp + 3 : mp - 9;
        y = yoe + era * 400 + (m <= 2 ? 1 : 0);
    }
}
