// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {ISecurityToken} from "../../interfaces/ISecurityToken.sol";
import {ILockReceiver} from "../../interfaces/ILockReceiver.sol";

/// @title ForeignSecurityToken (TEST ONLY: an attacker's contract)
/// @notice Looks like a Kabuto security token to whoever calls it and lies in every answer: it
/// calls everyone an agent and an admin, names a registry of the attacker's choice, reports
/// the balances the attacker sets, answers "no restriction" and moves nothing when asked to
/// issue, redeem or deliver. The tests point it at every settlement, offering and payment entry
/// point: a platform contract must refuse it before any real user's yen or units move.
contract ForeignSecurityToken {
    address public registry;
    address public paymentToken;
    uint256 public faceValue;
    uint256 public totalSupply;
    uint40 public recordDateValue;
    mapping(address account => uint256) public balanceOf;
    /// An entry point to call back into on `redeem` or `unlock` (a re-entrancy attempt), if set.
    address public reenterTarget;
    bytes public reenterData;

    constructor(address registry_, address paymentToken_, uint256 faceValue_) {
        registry = registry_;
        paymentToken = paymentToken_;
        faceValue = faceValue_;
        recordDateValue = uint40(block.timestamp);
    }

    function setBalance(address account, uint256 value) external {
        totalSupply = totalSupply - balanceOf[account] + value;
        balanceOf[account] = value;
    }

    function setReentry(address target, bytes calldata data) external {
        reenterTarget = target;
        reenterData = data;
    }

    /// Opens an instruction at a settlement contract naming any seller: no units are locked.
    function fakeLock(address receiver, address seller, uint256 value, bytes calldata data) external returns (bytes4) {
        return ILockReceiver(receiver).onTokensLocked(seller, value, data);
    }

    // ---- what the platform contracts ask a token ----

    function isAgent(address) external pure returns (bool) {
        return true;
    }

    function hasRole(bytes32, address) external pure returns (bool) {
        return true;
    }

    function kind() external pure returns (ISecurityToken.Kind) {
        return ISecurityToken.Kind.Bond;
    }

    function approvalRequired() external pure returns (bool) {
        return false;
    }

    function isFrozen(address) external pure returns (bool) {
        return false;
    }

    function detectTransferRestriction(address, address, uint256) external pure returns (uint8) {
        return 0;
    }

    function bondTerms() external view returns (ISecurityToken.BondTerms memory terms) {
        terms.faceValue = faceValue;
        terms.couponRate = 3_500;
        terms.couponsPerYear = 2;
        terms.issueDate = uint40(block.timestamp - 200 days);
        terms.maturityDate = uint40(block.timestamp + 165 days);
        terms.redemptionValue = faceValue;
        terms.interestPaymentDates = new uint40[](1);
        terms.interestPaymentDates[0] = uint40(block.timestamp - 17 days);
        terms.interestRecordDates = new uint40[](1);
        terms.interestRecordDates[0] = recordDateValue;
        terms.paymentToken = paymentToken;
    }

    function recordDate(uint256) external view returns (uint40) {
        return recordDateValue;
    }

    function recordDateCount() external pure returns (uint256) {
        return 1;
    }

    function balanceOfAtRecordDate(address account, uint256) external view returns (uint256) {
        return balanceOf[account];
    }

    function totalSupplyAtRecordDate(uint256) external view returns (uint256) {
        return totalSupply;
    }

    function freeBalanceOf(address account) external view returns (uint256) {
        return balanceOf[account];
    }

    function lockedOf(address, address account) external view returns (uint256) {
        return balanceOf[account];
    }

    function issue(address, uint256, bytes calldata) external {}

    function redeem(address, uint256, bytes calldata) external {
        _reenter();
    }

    function unlock(address, address, uint256, bytes calldata) external {
        _reenter();
    }

    function _reenter() private {
        if (reenterTarget != address(0)) {
            // A re-entrancy attempt with any calldata: only a low-level call can make it.
            // solhint-disable-next-line avoid-low-level-calls
            (bool ok, bytes memory reason) = reenterTarget.call(reenterData);
            if (!ok) {
                assembly ("memory-safe") {
                    revert(add(reason, 0x20), mload(reason))
                }
            }
        }
    }
}
