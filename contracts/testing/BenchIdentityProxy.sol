// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {Proxy} from "@openzeppelin/contracts/proxy/Proxy.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {StorageSlot} from "@openzeppelin/contracts/utils/StorageSlot.sol";

/// @notice The one call an ONCHAINID implementation authority answers for its proxies.
interface IIdentityImplementationAuthority {
    function getImplementation() external view returns (address);
}

/// @title BenchIdentityProxy
/// @notice An investor's ONCHAINID as T-REX deploys it, for the benchmark's ERC-3643 peer: a
/// proxy that asks a shared implementation authority for the Identity logic on every call and
/// initialises it with the investor's management key. The npm artifacts of T-REX 4.1.6 carry
/// the Identity, ClaimIssuer and ImplementationAuthority of ONCHAINID but not its proxy, so
/// this one does the same work at the same cost: the authority address in storage (one SSTORE
/// at deployment, one SLOAD per call), a call to the authority, then a delegatecall.
contract BenchIdentityProxy is Proxy {
    /// @dev Away from the Identity's own sequential slots (ERC-1967-style derived slot).
    bytes32 private constant _AUTHORITY_SLOT =
        bytes32(uint256(keccak256("kabuto.bench.identity.implementationAuthority")) - 1);

    error IdentityProxyZeroAddress(address implementationAuthority, address initialManagementKey);

    /// @param implementationAuthority the ONCHAINID ImplementationAuthority naming the logic.
    /// @param initialManagementKey the investor's wallet, the identity's first management key.
    constructor(address implementationAuthority, address initialManagementKey) {
        if (implementationAuthority == address(0) || initialManagementKey == address(0)) {
            revert IdentityProxyZeroAddress(implementationAuthority, initialManagementKey);
        }
        StorageSlot.getAddressSlot(_AUTHORITY_SLOT).value = implementationAuthority;
        Address.functionDelegateCall(
            _implementation(), abi.encodeWithSignature("initialize(address)", initialManagementKey)
        );
    }

    /// @notice The implementation authority this identity follows.
    function implementationAuthority() external view returns (address) {
        return StorageSlot.getAddressSlot(_AUTHORITY_SLOT).value;
    }

    function _implementation() internal view override returns (address) {
        return IIdentityImplementationAuthority(StorageSlot.getAddressSlot(_AUTHORITY_SLOT).value).getImplementation();
    }
}
