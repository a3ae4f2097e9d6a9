// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title IERC1404 (Simple Restricted Token Standard)
/// @notice A pre-transfer check that answers with a code, and a human-readable reason per code.
interface IERC1404 {
    function detectTransferRestriction(address from, address to, uint256 value) external view returns (uint8);

    function messageForTransferRestriction(uint8 restrictionCode) external view returns (string memory);
}
