// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {IInvestorRegistry} from "../../interfaces/IInvestorRegistry.sol";

/// @title ForeignRegistry (TEST ONLY: an attacker's contract)
/// @notice A registry that names the attacker's chosen victim as every investor's wallet, calls
/// every wallet an active investor with the same id, and confirms any recovery. Paired with
/// ForeignSecurityToken, it is what a platform contract that trusted `token.registry()` would
/// believe.
contract ForeignRegistry {
    address public victim;
    bytes32 public constant INVESTOR_ID = keccak256("foreign-investor");

    constructor(address victim_) {
        victim = victim_;
    }

    function walletOf(bytes32) external view returns (address) {
        return victim;
    }

    function investorIdOf(address) external pure returns (bytes32) {
        return INVESTOR_ID;
    }

    function previousWalletOf(bytes32) external view returns (address) {
        return victim;
    }

    function recoveryOf(address, address) external pure returns (bytes32) {
        return INVESTOR_ID;
    }

    function isEligible(address) external pure returns (bool) {
        return true;
    }

    function investorOf(address) external view returns (IInvestorRegistry.Investor memory r) {
        r.number = 1;
        r.status = IInvestorRegistry.Status.Active;
        r.country = 392;
        r.kycExpiry = uint40(block.timestamp + 365 days);
    }
}
