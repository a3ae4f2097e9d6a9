// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {Checkpoints} from "@openzeppelin/contracts/utils/structs/Checkpoints.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IERC1643} from "../../interfaces/IERC1643.sol";
import {ISecurityToken} from "../../interfaces/ISecurityToken.sol";
import {TokenStorage} from "./TokenStorage.sol";

/// @title TokenExtension
/// @notice The rarely called part of a security token, kept out of the token's code: ERC-1643
/// documents, the terms views, record-date scheduling and snapshots, the ERC-1404 message table
/// and the lock address list. Each token creates its own extension in its constructor and runs
/// these functions with DELEGATECALL on its own storage (TokenCore._extension): the token checks
/// the caller's role first, the extension does the work and emits the events as the token.
/// @dev Called directly (not through its token) it works on its own, empty storage: no token's
/// state can be reached that way. The layout is TokenStorage's, shared with the token.
contract TokenExtension is TokenStorage {
    using Checkpoints for Checkpoints.Trace208;
    using SafeCast for uint256;

    // ---------------------------------------------------------------- ERC-1643 documents

    /// @dev The token checks DEFAULT_ADMIN_ROLE. Emits {IERC1643-DocumentUpdated}.
    function setDocument(bytes32 name, string calldata uri, bytes32 documentHash) external {
        if (name == bytes32(0) || bytes(uri).length == 0) revert TokenInvalidDocument(name);
        Document storage doc = _documents[name];
        if (doc.position == 0) {
            _documentNames.push(name);
            doc.position = uint32(_documentNames.length);
        }
        doc.uri = uri;
        doc.documentHash = documentHash;
        doc.lastModified = uint40(block.timestamp);
        emit IERC1643.DocumentUpdated(name, uri, documentHash);
    }

    function getDocument(bytes32 name) external view returns (string memory, bytes32, uint256) {
        Document storage doc = _documents[name];
        return (doc.uri, doc.documentHash, doc.lastModified);
    }

    /// @dev The token checks DEFAULT_ADMIN_ROLE. Emits {IERC1643-DocumentRemoved}.
    function removeDocument(bytes32 name) external {
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
        emit IERC1643.DocumentRemoved(name, doc.uri, doc.documentHash);
    }

    function getAllDocuments() external view returns (bytes32[] memory) {
        return _documentNames;
    }

    // ---------------------------------------------------------------- terms

    /// @dev All zero when the token is not a bond or its terms are unset.
    function bondTerms() external view returns (ISecurityToken.BondTerms memory terms) {
        if (_encodedTerms.length != 0 && _kind() == ISecurityToken.Kind.Bond) {
            terms = abi.decode(_encodedTerms, (ISecurityToken.BondTerms));
        }
    }

    /// @dev All zero when the token is not a beneficiary interest or its terms are unset.
    function beneficiaryTerms() external view returns (ISecurityToken.BeneficiaryTerms memory terms) {
        if (_encodedTerms.length != 0 && _kind() == ISecurityToken.Kind.Beneficiary) {
            terms = abi.decode(_encodedTerms, (ISecurityToken.BeneficiaryTerms));
        }
    }

    /// The token's kind (an immutable of the token's code, so asked of the token itself).
    function _kind() private view returns (ISecurityToken.Kind) {
        return ISecurityToken(address(this)).kind();
    }

    // ---------------------------------------------------------------- issue limit

    function issueLimit() external view returns (uint256) {
        return _supply.issueLimit;
    }

    function totalIssued() external view returns (uint256) {
        return _supply.issued;
    }

    /// @dev The token checks DEFAULT_ADMIN_ROLE. 0 lifts the limit; a limit below what was
    /// already issued is refused. Emits {ISecurityToken-IssueLimitSet}.
    function setIssueLimit(uint256 limit) external {
        uint256 issued = _supply.issued;
        if (limit != 0 && limit < issued) revert ISecurityToken.TokenIssueLimitBelowIssued(limit, issued);
        _supply.issueLimit = limit.toUint64();
        emit ISecurityToken.IssueLimitSet(limit);
    }

    // ---------------------------------------------------------------- record dates

    /// @dev The token checks DEFAULT_ADMIN_ROLE. Emits {ISecurityToken-RecordDateScheduled}.
    function scheduleRecordDate(uint40 date) external returns (uint256 index) {
        return _scheduleRecordDate(date);
    }

    function recordDate(uint256 index) external view returns (uint40) {
        return _recordDates[index];
    }

    function recordDateCount() external view returns (uint256) {
        return _recordDates.length;
    }

    /// @dev An account that has not moved since record date `index` passed holds its current
    /// balance then; otherwise its checkpoint history answers.
    function balanceOfAtRecordDate(address account, uint256 index) external view returns (uint256) {
        _requirePassed(index);
        Account memory acc = _accounts[account];
        if (acc.lastRecordCount <= index) return acc.balance;
        return _balanceHistory[account].upperLookup(uint48(index));
    }

    function totalSupplyAtRecordDate(uint256 index) external view returns (uint256) {
        _requirePassed(index);
        Supply memory s = _supply;
        if (s.lastRecordCount <= index) return s.totalSupply;
        return _supplyHistory.upperLookup(uint48(index));
    }

    function _requirePassed(uint256 index) private view {
        if (index >= _recordDates.length || block.timestamp <= _recordDates[index]) {
            revert ISecurityToken.TokenRecordDateNotPassed(index);
        }
    }

    // ---------------------------------------------------------------- ERC-1404 messages, locks

    /// @notice The message of `restrictionCode` (ISecurityToken.Restriction order), or
    /// "unknown restriction code".
    function messageForTransferRestriction(uint8 restrictionCode) external pure returns (string memory) {
        string[20] memory messages = [
            "SUCCESS",
            "token paused",
            "sender not registered",
            "sender not active",
            "sender KYC expired",
            "recipient not registered",
            "recipient not active",
            "recipient KYC expired",
            "recipient class not allowed",
            "holder cap reached",
            "max balance exceeded",
            "below minimum holding",
            "lock-up period",
            "QII resale only",
            "issuer approval required",
            "sender frozen",
            "recipient frozen",
            "insufficient free balance",
            "token redeemed",
            "invalid recipient"
        ];
        if (restrictionCode >= messages.length) return "unknown restriction code";
        return messages[restrictionCode];
    }

    /// @dev The token checks DEFAULT_ADMIN_ROLE. Emits {ISecurityToken-LockAddressAuthorized}.
    function authorizeLockAddress(address lockAddress, bool authorized, bool carriesApproval) external {
        if (lockAddress == address(0)) revert ISecurityToken.TokenUnauthorizedLockAddress(lockAddress);
        LockAddress storage entry = _lockAddresses[lockAddress];
        if (!entry.listed) {
            if (_lockAddressList.length >= MAX_LOCK_ADDRESSES) revert TokenTooManyLockAddresses(MAX_LOCK_ADDRESSES);
            _lockAddressList.push(lockAddress);
            entry.listed = true;
        }
        entry.authorized = authorized;
        entry.carriesApproval = carriesApproval;
        emit ISecurityToken.LockAddressAuthorized(lockAddress, authorized, carriesApproval);
    }

    /// @dev The token checks DEFAULT_ADMIN_ROLE. Generations: the n-th address named gets
    /// generation n, and a lock to it tags the holder's account word with n. Replacing it is
    /// safe at any time and iterates nothing: the words keep their tag, so what was locked to
    /// the replaced address stays locked to it (TokenStorage._lockedOf) and it still releases
    /// it; the first later touch of such a word moves it to the lock map under that address
    /// (TokenLocks._settleAccountWord). The lock and unlock pay nothing for this. Refused: the
    /// current address again, and an address already listed (authorised with its locks in the
    /// lock map, which would not be read while it is the settlement lock address; the map
    /// keeps no per-address total, which would cost every venue lock and unlock a write).
    function setSettlementLockAddress(address lockAddress) external {
        address previous = _settlementLockAddress;
        if (lockAddress == previous) revert ISecurityToken.TokenSettlementLockAddressRefused(lockAddress);
        if (previous != address(0)) _lockAddresses[previous].inAccountWord = false;
        if (lockAddress != address(0)) {
            LockAddress storage entry = _lockAddresses[lockAddress];
            if (entry.listed) revert ISecurityToken.TokenSettlementLockAddressRefused(lockAddress);
            uint256 generation = _settlementLockAddresses.length + 1;
            if (generation > type(uint8).max) revert ISecurityToken.TokenSettlementLockAddressRefused(lockAddress);
            _settlementLockAddresses.push(lockAddress);
            entry.inAccountWord = true;
            entry.generation = uint8(generation);
        }
        _settlementLockAddress = lockAddress;
        emit ISecurityToken.SettlementLockAddressSet(previous, lockAddress);
    }

    function settlementLockAddresses() external view returns (address[] memory) {
        return _settlementLockAddresses;
    }

    function isAuthorizedLockAddress(address lockAddress) external view returns (bool authorized, bool carriesApproval) {
        LockAddress memory entry = _lockAddresses[lockAddress];
        return (entry.authorized, entry.carriesApproval);
    }

    function totalLockedOf(address account) public view returns (uint256 total) {
        uint256 count = _lockAddressList.length;
        for (uint256 i = 0; i < count; ++i) {
            address lockAddress = _lockAddressList[i];
            total += _lockedOf(_lockAddresses[lockAddress], lockAddress, account);
        }
    }

    // ---------------------------------------------------------------- applications

    function application(uint256 id) external view returns (ISecurityToken.ApplicationRecord memory) {
        if (id >= _book.count) revert ISecurityToken.TokenUnknownApplication(id);
        uint256 record = uint256(_applications[id]);
        // An approval clears the record (TokenApprovals._approve): its fields are in the events.
        if (record == 0) return ISecurityToken.ApplicationRecord(ISecurityToken.ApplicationStatus.Approved, 0);
        return ISecurityToken.ApplicationRecord(ISecurityToken.ApplicationStatus(uint8(record & 7)), bytes32(record & ~uint256(7)));
    }

    function applicationCount() external view returns (uint256) {
        return _book.count;
    }

    /// @notice Units of `account` in pending applications: what is encumbered but neither
    /// frozen nor locked.
    function pendingOf(address account) external view returns (uint256) {
        return _accounts[account].encumbered - _frozenTokens[account] - totalLockedOf(account);
    }

    /// @notice Every address ever authorised as a lock address, in authorisation order (also
    /// the de-authorised ones: their old locks still release).
    function lockAddresses() external view returns (address[] memory) {
        return _lockAddressList;
    }
}
