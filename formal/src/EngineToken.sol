// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {SecurityToken} from "../../contracts/token/SecurityToken.sol";
import {RawState} from "./RawState.sol";

/// @notice PROOF HARNESS ONLY: the token with its fast path disabled, as the differential test's
/// SecurityTokenSlowPath (contracts/testing/): every movement runs the full rule engine
/// ({TokenCore-_update}).
contract EngineToken is SecurityToken, RawState {
    constructor(address registry_, Rules memory rules_)
        SecurityToken("Engine", "ENG", Category.Class1, Kind.Bond, registry_, msg.sender, rules_, "")
    {}

    /// Always declines: the caller falls back to {TokenCore-_update}.
    function _fastMove(address, address, uint256, uint256, uint256) internal pure override returns (bool) {
        return false;
    }

    /// Always declines: every issue runs {TokenCore-_update} too.
    function _fastIssue(address, uint256) internal pure override returns (bool) {
        return false;
    }
}
