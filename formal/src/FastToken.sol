// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {SecurityToken} from "../../contracts/token/SecurityToken.sol";
import {RawState} from "./RawState.sol";

/// @notice PROOF HARNESS ONLY: the product token (its real {_fastMove}), recording acceptances.
contract FastToken is SecurityToken, RawState {
    constructor(address registry_, Rules memory rules_)
        SecurityToken("Fast", "FST", Category.Class1, Kind.Bond, registry_, msg.sender, rules_, "")
    {}

    function _fastMove(address from, address to, uint256 value, uint256 fromEncumbered, uint256 slowFlags)
        internal
        override
        returns (bool moved)
    {
        moved = super._fastMove(from, to, value, fromEncumbered, slowFlags);
        fastAccepted = moved;
    }
}
