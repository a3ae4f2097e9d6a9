// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title IERC1643 (document management)
/// @notice Term sheets, prospectuses and trust deeds attached to a security by URI and hash.
interface IERC1643 {
    event DocumentUpdated(bytes32 indexed name, string uri, bytes32 documentHash);
    event DocumentRemoved(bytes32 indexed name, string uri, bytes32 documentHash);

    function setDocument(bytes32 name, string calldata uri, bytes32 documentHash) external;

    function getDocument(bytes32 name) external view returns (string memory uri, bytes32 documentHash, uint256 lastModified);

    function removeDocument(bytes32 name) external;

    function getAllDocuments() external view returns (bytes32[] memory);
}
