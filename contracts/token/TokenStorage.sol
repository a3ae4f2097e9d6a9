// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Checkpoints} from "@openzeppelin/contracts/utils/structs/Checkpoints.sol";
import {ISecurityToken} from "../../interfaces/ISecurityToken.sol";

/// @title TokenStorage
/// @notice Every state variable of a security token, in one place and one order: the token
/// (SecurityToken) and its extension (TokenExtension, run with DELEGATECALL on the token's
/// storage) both inherit it, so they agree on the layout by construction. The storage-layout test
/// (tests/unit/token/test_storage_layout.py) reads these slots with eth_getStorageAt and decodes
/// them with the bit offsets the fast path's assembly uses.
// The token's whole state is declared here on purpose (one layout for token and extension).
// solhint-disable-next-line max-states-count
abstract contract TokenStorage is AccessControl {
    /// One slot per account: 96 + 96 + 16 + 8 + 32 + 8 = 256 bits.
    struct Account {
        uint96 balance; // everything the wallet owns (the legal holding)
        uint96 encumbered; // frozen + pending + locked: the part that cannot move freely
        uint16 lastRecordCount; // passed record dates when the balance last changed (at most 65,535)
        bool walletFrozen;
        // Units locked to a settlement lock address (TokenLocks): kept here, in the word every
        // movement writes anyway, so a lock to the DvP contract creates no new slot. Locked to
        // the settlement lock address of generation `settlementGeneration` (1-based index in
        // _settlementLockAddresses): a word tagged with an older generation is still locked to
        // the address of that generation after a replacement (docs/settlement.md).
        uint32 settlementLocked;
        uint8 settlementGeneration;
    }

    /// One slot per token, read by every movement: 4 * 8 + 2 * 24 + 48 + 32 + 40 + 40 + 16 = 256 bits.
    /// The issuer's Rules (widths narrowed where noted, checked when rules are set) plus hot state.
    struct Config {
        uint8 allowedClasses;
        bool qiiResaleOnly;
        bool approvalRequired;
        bool paused;
        uint24 holderCap; // Rules.holderCap (uint32) narrowed: at most 16,777,215 investors
        uint24 holderCount;
        uint48 maxBalance; // Rules.maxBalance (uint64) narrowed
        uint32 minHolding;
        uint40 lockUpUntil;
        uint40 nextRecordDate; // 0: none scheduled ahead
        uint16 passedRecordCount; // record dates already passed when a balance last changed
    }

    /// One slot: 96 + 64 + 64 + 16 + 8 = 248 bits. Touched by issue and redeem only.
    struct Supply {
        uint96 totalSupply;
        uint64 issued; // every unit ever issued (the issue limit counts these, not the supply)
        uint64 issueLimit; // 0: no limit (the term sheet's total issue amount otherwise)
        uint16 lastRecordCount;
        bool redeemed;
    }

    /// One slot per lock address: 5 * 8 bits. Every lock and unlock reads it.
    struct LockAddress {
        bool authorized; // may receive new locks
        bool carriesApproval; // enforces the issuer's approval itself (the settlement contract)
        bool listed; // in _lockAddressList (kept after de-authorisation: old locks still release)
        bool inAccountWord; // the current settlement lock address: new locks go to the account word
        // The generation under which it was named the settlement lock address (0: never): the
        // account words tagged with it are locked to it, now or after its replacement.
        uint8 generation;
    }

    /// One slot: 64 + 40 + 8 bits.
    struct ApplicationBook {
        uint64 count;
        uint40 expiryPeriod; // 0: applications never expire
        bool opened; // set at deployment so the first application writes a non-zero slot (2,900, not 20,000)
    }

    struct Recovery {
        address to;
        uint64 applicationsBefore;
    }

    struct Document {
        string uri;
        bytes32 documentHash;
        uint40 lastModified;
        uint32 position; // 1-based index in _documentNames; 0: absent
    }

    string internal _name;
    string internal _symbol;
    Config internal _config;
    Supply internal _supply;
    mapping(address account => Account) internal _accounts;
    mapping(address account => mapping(address spender => uint256)) internal _allowances;
    mapping(address account => uint256) internal _frozenTokens;
    uint40[] internal _recordDates;
    mapping(address account => Checkpoints.Trace208) internal _balanceHistory;
    Checkpoints.Trace208 internal _supplyHistory;

    mapping(address lockAddress => LockAddress) internal _lockAddresses;
    address[] internal _lockAddressList;
    mapping(address lockAddress => mapping(address account => uint256)) internal _locked;
    /// The settlement lock address, named explicitly by the admin (the platform's DvP contract):
    /// its locks are kept in each holder's account word (Account.settlementLocked), so a delivery
    /// instruction's lock writes no new slot. Every other lock address uses _locked.
    address internal _settlementLockAddress;
    /// Every address ever named the settlement lock address, in order: generation g is entry
    /// g - 1 (at most 255). An account word tagged g is locked to entry g - 1.
    address[] internal _settlementLockAddresses;

    /// lostWallet => where a recovery moved its holding, and how many applications existed then:
    /// the pending ones among them (filed before the recovery) are held by `to` from then on.
    /// One slot: 160 + 64 bits. An explicit record, not a guess from balances.
    mapping(address lostWallet => Recovery) internal _recoveries;

    /// One slot per application: keccak256(abi.encode(applicant, to, value, expiry)) with its low
    /// 3 bits replaced by the ISecurityToken.ApplicationStatus (TokenApprovals). The fields are in
    /// TransferApplied and in the calldata of every later decision, which the token checks
    /// against this hash. Cleared when approved (the refund pays a part of the approval): 0 reads
    /// as Approved below ApplicationBook.count and as no such application above it.
    mapping(uint256 id => bytes32 record) internal _applications;
    ApplicationBook internal _book;

    /// abi.encode(BondTerms) or abi.encode(BeneficiaryTerms) per the token's kind, as decoded and
    /// re-encoded at deployment (canonical).
    bytes internal _encodedTerms;

    mapping(bytes32 name => Document) internal _documents;
    bytes32[] internal _documentNames;

    /// Lock addresses are few and chosen by the issuer: recovery and the per-account total
    /// iterate over them, so their number is capped.
    uint256 public constant MAX_LOCK_ADDRESSES = 16;

    error TokenTooManyLockAddresses(uint256 max);
    error TokenRecordDateInPast(uint40 recordDate, uint256 timestamp);
    error TokenUnknownDocument(bytes32 name);
    error TokenInvalidDocument(bytes32 name);
    error TokenTooManyRecordDates();

    /// What `account` has locked to `lockAddress`, whose entry the caller has read: the lock map
    /// (never used by the current settlement lock address, so not read for it) plus the account
    /// word when the word is tagged with the entry's generation.
    function _lockedOf(LockAddress memory entry, address lockAddress, address account) internal view returns (uint256 locked) {
        if (!entry.inAccountWord) locked = _locked[lockAddress][account];
        if (entry.generation != 0) {
            Account storage acc = _accounts[account];
            if (acc.settlementGeneration == entry.generation) locked += acc.settlementLocked;
        }
    }

    /// Appends a record date (the admin's scheduleRecordDate and the terms at deployment).
    function _scheduleRecordDate(uint40 date) internal returns (uint256 index) {
        if (date < block.timestamp) revert TokenRecordDateInPast(date, block.timestamp);
        index = _recordDates.length;
        if (index != 0 && date <= _recordDates[index - 1]) {
            revert ISecurityToken.TokenRecordDateNotAfterLast(date, _recordDates[index - 1]);
        }
        if (index >= type(uint16).max) revert TokenTooManyRecordDates();
        _recordDates.push(date);
        // Invariant: nextRecordDate == 0 exactly when every scheduled date has been passed.
        if (_config.nextRecordDate == 0) _config.nextRecordDate = date;
        emit ISecurityToken.RecordDateScheduled(index, date);
    }
}
