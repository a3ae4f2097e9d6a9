// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

/// @title EligibilityListRegistry
/// @notice TEST ONLY. The one registry call the yen coin makes (`isEligible`), backed by a plain
/// list, so the coin's eligibility mode can be tested without the full InvestorRegistry.
contract EligibilityListRegistry {
    mapping(address wallet => bool) private _eligible;

    event EligibilitySet(address indexed wallet, bool eligible);

    function setEligible(address wallet, bool eligible) external {
        _eligible[wallet] = eligible;
        emit EligibilitySet(wallet, eligible);
    }

    function isEligible(address wallet) external view returns (bool) {
        return _eligible[wallet];
    }
}
