// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC1643} from "../../interfaces/IERC1643.sol";

/// @title TokenDocuments
/// @notice ERC-1643: term sheets, prospectuses and trust deeds attached by URI and content hash.
abstract contract TokenDocuments is IERC1643, AccessControl {
    struct Document {
        string uri;
        bytes32 documentHash;
        uint40 lastModified;
        uint32 position; // 1-based index in _documentNames; 0: absent
    }

    mapping(bytes32 name => Document) private _documents;
    bytes32[] private _documentNames;

    error TokenUnknownDocument(bytes32 name);
    error TokenInvalidDocument(bytes32 name);

    /// @dev Issuer admin only. Emits {DocumentUpdated}.
    function setDocument(bytes32 name, string calldata uri, bytes32 documentHash)
        external
        onlyRole(DEFAULT_ADMIN_ROLE)
    {
        if (name == bytes32(0) || bytes(uri).length == 0) revert TokenInvalidDocument(name);
        Document storage doc = _documents[name];
        if (doc.position == 0) {
            _documentNames.push(name);
            doc.position = uint32(_documentNames.length);
        }
        doc.uri = uri;
        doc.documentHash = documentHash;
        doc.lastModified = uint40(block.timestamp);
        emit DocumentUpdated(name, uri, documentHash);
    }

    function getDocument(bytes32 name) external view returns (string memory, bytes32, uint256) {
        Document storage doc = _documents[name];
        return (doc.uri, doc.documentHash, doc.lastModified);
    }

    /// @dev Issuer admin only. Emits {DocumentRemoved}.
    function removeDocument(bytes32 name) external onlyRole(DEFAULT_ADMIN_ROLE) {
        Document memory doc = _documents[name];
        if (doc.position == 0) revert TokenUnknownDocument(name);
        uint256 last = _documentNames.length - 1;
        if (doc.position - 1 != last) {
            bytes32 moved = _documentNames[last];
            _documentNames[doc.position - 1] = moved;
            _documents[moved].position = doc.position;
        }
        _documentNames.pop();
        delete _documents[name];
        emit DocumentRemoved(name, doc.uri, doc.documentHash);
    }

    function getAllDocuments() external view returns (bytes32[] memory) {
        return _documentNames;
    }
}
