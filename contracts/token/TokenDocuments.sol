// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {TokenCore} from "./TokenCore.sol";

/// @title TokenDocuments
/// @notice ERC-1643: term sheets, prospectuses and trust deeds attached by URI and content hash.
/// The issuer admin's role is checked here; the work is done by the token's TokenExtension.
abstract contract TokenDocuments is TokenCore {
    /// @dev Issuer admin only. Emits {DocumentUpdated}.
    function setDocument(bytes32, string calldata, bytes32) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _extension();
    }

    function getDocument(bytes32) external view returns (string memory, bytes32, uint256) {
        _extensionView();
    }

    /// @dev Issuer admin only. Emits {DocumentRemoved}.
    function removeDocument(bytes32) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _extension();
    }

    function getAllDocuments() external view returns (bytes32[] memory) {
        _extensionView();
    }
}
