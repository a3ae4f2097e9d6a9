// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// Known-bad contract, never deployed: the slither check analyses it beside the production
/// contracts and asserts that its two high findings are reported (tests/assurance/
/// test_static_analysis.py), so a run that reports no detector finding fails.
contract SlitherKnownBad {
    IERC20 public immutable coin;
    address internal payee; // never written: uninitialized-state

    constructor(IERC20 coin_) {
        coin = coin_;
    }

    /// Anyone may pull any approver's coins: arbitrary-send-erc20.
    function pull(address from, uint256 amount) external {
        coin.transferFrom(from, payee, amount);
    }
}
