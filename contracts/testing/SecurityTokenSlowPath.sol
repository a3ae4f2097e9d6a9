// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {SecurityToken} from "../token/SecurityToken.sol";

/// @title SecurityTokenSlowPath
/// @notice TESTING ONLY: the security token with its fast paths disabled, so every movement and issue runs
/// through the full rule engine (TokenCore._update). The differential test
/// (tests/unit/token/test_differential.py) runs the same scenarios on this and on SecurityToken
/// and requires identical outcomes, events and state.
contract SecurityTokenSlowPath is SecurityToken {
    constructor(
        string memory name_,
        string memory symbol_,
        Category category_,
        Kind kind_,
        address registry_,
        address admin,
        Rules memory rules_,
        bytes memory terms
    ) SecurityToken(name_, symbol_, category_, kind_, registry_, admin, rules_, terms) {}

    /// Always declines: the caller falls back to {_update}.
    function _fastMove(address, address, uint256, uint256, uint256) internal pure override returns (bool) {
        return false;
    }

    /// Always declines: every issue runs {_update} too.
    function _fastIssue(address, uint256) internal pure override returns (bool) {
        return false;
    }
}
