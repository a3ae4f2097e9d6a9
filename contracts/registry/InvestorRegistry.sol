// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IInvestorRegistry} from "../../interfaces/IInvestorRegistry.sol";
import {IPlatformTokens} from "../../interfaces/IPlatformTokens.sol";

/// @dev What the registry asks a token before listing it.
interface IRegistryBound {
    function registry() external view returns (address);
}

/// @title InvestorRegistry
/// @notice The platform-wide register of KYC'd investors (one per platform, shared by every token).
/// @dev Hot path: tokens read `_investors[wallet]`, one slot per wallet, through one
/// `investorsOf(from, to)` staticcall per transfer. Everything else is touched only by registrar
/// operations. Personal data stays off storage: the ciphertext (encrypted by the tooling to the
/// issuer's key) and its keccak256 commitment travel in {PersonalDataStored} (docs/registry.md).
/// Also the platform's list of its own tokens ({IPlatformTokens}): the one address every
/// settlement, offering and payment contract trusts for who is an investor, where its money
/// goes and which tokens are the platform's.
contract InvestorRegistry is IInvestorRegistry, IPlatformTokens, AccessControl {
    /// Securities firms doing KYC: register, update, suspend/revoke investors, replace wallets.
    bytes32 public constant REGISTRAR_ROLE = keccak256("REGISTRAR_ROLE");

    /// ISO 3166-1 numeric codes are 1..999.
    uint16 private constant _MAX_COUNTRY = 999;
    /// Bits 0..135 of a record word: the {IInvestorRegistry.Investor} fields tokens decode.
    uint256 private constant _FIELDS_MASK = 0xffffffffffffffffffffffffffffffffff; // (1 << 136) - 1
    /// Bits 136..255 of a record word: the investor id when it fits (first 15 bytes, rest zero,
    /// top bit clear), else {_LONG_ID_FLAG}. Kept when a wallet is replaced: never zero for a used wallet.
    uint256 private constant _ID_MASK = ~_FIELDS_MASK;
    /// Set in a record word whose id does not fit: the id is in `_investorIdOf[wallet]`.
    uint256 private constant _LONG_ID_FLAG = 0x8000000000000000000000000000000000000000000000000000000000000000; // 1 << 255
    /// An investor word (`_investors[id]`): the current wallet (bits 0..159), the tax status
    /// (bits 160..167). Keyed by the investor, so a wallet replacement keeps the tax status.
    uint256 private constant _WALLET_MASK = 0x00ffffffffffffffffffffffffffffffffffffffff; // (1 << 160) - 1
    uint256 private constant _TAX_SHIFT = 160;

    /// {onboardInvestors}' profile word, low bits first: wallet (160), tax status (8), class (8),
    /// zero (8: where the record keeps the status), country (16), kycExpiry (40), ciphertext
    /// length (16). Shifted right by 104, class..kycExpiry land where the record word keeps them.
    /// Class bits above 0..3, and the status byte.
    uint256 private constant _PROFILE_MUST_BE_ZERO = 0xfffc000000000000000000000000000000000000000000; // (0xfc << 168) | (0xff << 176)
    /// Set in an id that does not fit the record word (see {_ID_MASK}).
    uint256 private constant _NOT_ID_BITS = 0x800000000000000000000000000000ffffffffffffffffffffffffffffffffff; // _FIELDS_MASK | _LONG_ID_FLAG
    uint256 private constant _INVESTOR_WORD_BITS = 0xffffffffffffffffffffffffffffffffffffffffff; // wallet | tax status << 160
    uint256 private constant _PROFILE_RECORD_BITS = 0xffffffffffffffffff0000000000000000; // bits 64..135
    uint256 private constant _ACTIVE_BITS = 0x1000000000000000000; // Status.Active (1) << 72 in the record word
    /// keccak256 of the event signatures, for the assembly's log3 (checked by the registry tests).
    bytes32 private constant _REGISTERED_TOPIC = 0x9a6e65e6882cc1c585da40abff4aa6212b0ee4dd14288fb17cec95d208d70ab8;
    bytes32 private constant _STORED_TOPIC = 0xcd2b06da20aa93ffd8cbfb6fb95962fdbc28e0214b4ca4cd2c05a116fca87762;

    error RegistryInvalidInvestorId();
    error RegistryInvalidStatus(Status status);
    error RegistryNoIssuerKey(address issuer);
    error RegistryNotIssuerOrAdmin(address caller, address issuer);

    /// The record every token reads: an {IInvestorRegistry.Investor} packed into one word, low
    /// bits first: number (64), class (8), status (8), country (16), kycExpiry (40) — the layout
    /// Solidity would give the struct, kept as a word so {packedInvestorsOf} is one SLOAD per side —
    /// then the investor id (120, see {_ID_MASK}). A replaced wallet keeps only the id bits.
    mapping(address wallet => uint256) private _records;
    /// On-chain uniqueness of investor ids, and what recovery / offerings / corporate actions
    /// read: the current wallet, with the tax status in the same word (see {_WALLET_MASK}).
    mapping(bytes32 investorId => uint256) private _investors;
    mapping(bytes32 investorId => address) private _previousWalletOf;
    /// Only for ids that do not fit the record word ({_LONG_ID_FLAG}); kept for a replaced wallet too.
    mapping(address wallet => bytes32) private _investorIdOf;
    mapping(address issuer => bytes) private _issuerKeys;
    uint64 private _investorCount;
    mapping(address token => bool) private _platformTokens;

    constructor(address admin) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /// @inheritdoc IInvestorRegistry
    function registerInvestor(bytes32 investorId, address wallet, InvestorClass investorClass, uint16 country, uint40 kycExpiry)
        external
        onlyRole(REGISTRAR_ROLE)
    {
        _register(investorId, wallet, investorClass, country, kycExpiry, TaxStatus.Undeclared);
    }

    /// @inheritdoc IInvestorRegistry
    function onboardInvestor(
        bytes32 investorId,
        address wallet,
        InvestorClass investorClass,
        TaxStatus taxStatus,
        uint16 country,
        uint40 kycExpiry,
        address issuer,
        bytes calldata ciphertext
    ) external onlyRole(REGISTRAR_ROLE) {
        if (taxStatus == TaxStatus.Undeclared) revert RegistryInvalidTaxStatus(taxStatus);
        _register(investorId, wallet, investorClass, country, kycExpiry, taxStatus);
        _publishPersonalData(investorId, issuer, ciphertext);
    }

    /// @inheritdoc IInvestorRegistry
    /// @dev What `onboardInvestor` does per row (same checks, words and events), in assembly: a
    /// row costs its two new slots (2 x 22,100), its two logs and its calldata, and ~1,000 more;
    /// the role, the issuer key and the counter are read and written once per batch. A bad row
    /// reverts the whole batch with the error the single call gives, or {RegistryMalformedBatch}.
    function onboardInvestors(address issuer, bytes32[] calldata investorIds, uint256[] calldata profiles, bytes calldata ciphertexts)
        external
        onlyRole(REGISTRAR_ROLE)
    {
        if (profiles.length != investorIds.length) revert RegistryMalformedBatch(investorIds.length);
        if (_issuerKeys[issuer].length == 0) revert RegistryNoIssuerKey(issuer);
        uint256 count = _investorCount;
        uint256 row;
        bool failed; // at `row`: {_revertBatch} finds the error (the loop only knows "bad")
        uint256 ct; // the current row's ciphertext in calldata
        uint256 ctEnd;
        // Not "memory-safe": event data is laid out from 0x80 (this function allocates no memory,
        // so nothing lives there) at fixed addresses; the compiler does not use via-IR.
        assembly {
            ct := ciphertexts.offset
            ctEnd := add(ct, ciphertexts.length)
            for {} lt(row, investorIds.length) { row := add(row, 1) } {
                let id := calldataload(add(investorIds.offset, shl(5, row)))
                let profile := calldataload(add(profiles.offset, shl(5, row)))
                let wallet := and(profile, _WALLET_MASK)
                mstore(0x00, id)
                mstore(0x20, _investors.slot)
                let idSlot := keccak256(0x00, 0x40)
                mstore(0x00, wallet)
                mstore(0x20, _records.slot)
                let recordSlot := keccak256(0x00, 0x40)
                // _register's checks, and the batch's own: tax status 1..4, class 0..3, the status
                // byte zero, country 1..999, KYC not expired. (That the ciphertexts add up to
                // `ciphertexts` is checked after the loop: a row reading past it reverts there.)
                if or(
                    or(or(iszero(id), iszero(wallet)), or(sload(idSlot), sload(recordSlot))),
                    or(
                        or(gt(sub(and(shr(160, profile), 0xff), 1), 3), and(profile, _PROFILE_MUST_BE_ZERO)),
                        or(
                            gt(sub(and(shr(184, profile), 0xffff), 1), 998),
                            iszero(gt(and(shr(200, profile), 0xffffffffff), timestamp()))
                        )
                    )
                ) {
                    failed := 1
                    break
                }
                count := add(count, 1)
                // The record word: the id when it fits, else the long-id flag (and the id in
                // _investorIdOf[wallet]); then number, and class, status (Active), country,
                // kycExpiry, which the profile holds 104 bits higher in the same order.
                let head := id
                if and(id, _NOT_ID_BITS) {
                    head := _LONG_ID_FLAG
                    mstore(0x20, _investorIdOf.slot) // 0x00 still holds the wallet
                    sstore(keccak256(0x00, 0x40), id)
                }
                sstore(recordSlot, or(or(head, count), or(and(shr(104, profile), _PROFILE_RECORD_BITS), _ACTIVE_BITS)))
                // the investor word: wallet | tax status << 160, as the profile holds them
                sstore(idSlot, and(profile, _INVESTOR_WORD_BITS))
                mstore(0x80, and(shr(168, profile), 0xff)) // class
                mstore(0xa0, and(shr(160, profile), 0xff)) // tax status
                mstore(0xc0, and(shr(184, profile), 0xffff)) // country
                mstore(0xe0, and(shr(200, profile), 0xffffffffff)) // kycExpiry
                mstore(0x100, caller())
                log3(0x80, 0xa0, _REGISTERED_TOPIC, id, wallet)
                // PersonalDataStored data from 0x80: (dataHash, offset 0x40, length, ciphertext
                // zero-padded to whole words)
                profile := shr(240, profile) // the ciphertext length from here on
                mstore(add(0xe0, and(profile, not(31))), 0)
                calldatacopy(0xe0, ct, profile)
                mstore(0x80, keccak256(0xe0, profile))
                mstore(0xa0, 0x40)
                mstore(0xc0, profile)
                log3(0x80, add(0x60, and(add(profile, 31), not(31))), _STORED_TOPIC, id, issuer)
                ct := add(ct, profile)
            }
            if iszero(eq(ct, ctEnd)) {
                failed := 1 // a bad row, or ciphertext bytes no row claims (row = rows)
            }
        }
        if (failed) _revertBatch(investorIds, profiles, row, ct, ctEnd);
        _investorCount = uint64(count);
    }

    /// @inheritdoc IInvestorRegistry
    function setTaxStatus(bytes32 investorId, TaxStatus taxStatus) external onlyRole(REGISTRAR_ROLE) {
        if (taxStatus == TaxStatus.Undeclared) revert RegistryInvalidTaxStatus(taxStatus);
        address wallet = _existingWallet(investorId);
        _investors[investorId] = uint256(uint160(wallet)) | (uint256(taxStatus) << _TAX_SHIFT);
        emit TaxStatusSet(investorId, taxStatus, msg.sender);
    }

    /// @inheritdoc IPlatformTokens
    /// @dev A token is listed only if it reads this registry: its transfer rules then check
    /// the same investors every platform contract pays.
    function setPlatformToken(address token, bool listed) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (listed) {
            address bound = token.code.length == 0 ? address(0) : IRegistryBound(token).registry();
            if (bound != address(this)) revert RegistryTokenNotBound(token, bound);
        }
        _platformTokens[token] = listed;
        emit PlatformTokenListed(token, listed, msg.sender);
    }

    /// @inheritdoc IPlatformTokens
    function isPlatformToken(address token) external view returns (bool) {
        return _platformTokens[token];
    }

    /// @inheritdoc IInvestorRegistry
    function updateInvestor(bytes32 investorId, InvestorClass investorClass, uint16 country, uint40 kycExpiry)
        external
        onlyRole(REGISTRAR_ROLE)
    {
        address wallet = _existingWallet(investorId);
        _checkProfile(country, kycExpiry);
        uint256 word = _records[wallet];
        Investor memory investor = _unpack(word);
        investor.investorClass = investorClass;
        investor.country = country;
        investor.kycExpiry = kycExpiry;
        _records[wallet] = (word & _ID_MASK) | _pack(investor);
        emit InvestorUpdated(investorId, investorClass, country, kycExpiry, msg.sender);
    }

    /// @inheritdoc IInvestorRegistry
    function setInvestorStatus(bytes32 investorId, Status status) external onlyRole(REGISTRAR_ROLE) {
        if (status == Status.None) revert RegistryInvalidStatus(status);
        address wallet = _existingWallet(investorId);
        uint256 word = _records[wallet];
        Investor memory investor = _unpack(word);
        investor.status = status;
        _records[wallet] = (word & _ID_MASK) | _pack(investor);
        emit InvestorStatusChanged(investorId, status, msg.sender);
    }

    /// @inheritdoc IInvestorRegistry
    function replaceWallet(bytes32 investorId, address newWallet) external onlyRole(REGISTRAR_ROLE) {
        address oldWallet = _existingWallet(investorId);
        if (newWallet == address(0)) revert RegistryInvalidWallet(newWallet);
        if (_records[newWallet] != 0) revert RegistryWalletInUse(newWallet);
        uint256 word = _records[oldWallet];
        _records[newWallet] = word;
        // The old wallet keeps its id bits only: status None (not eligible), never registrable again.
        _records[oldWallet] = word & _ID_MASK;
        _investors[investorId] = (_investors[investorId] & ~_WALLET_MASK) | uint256(uint160(newWallet));
        _previousWalletOf[investorId] = oldWallet;
        if (word & _LONG_ID_FLAG != 0) _investorIdOf[newWallet] = investorId;
        emit WalletReplaced(investorId, oldWallet, newWallet, msg.sender);
    }

    /// @inheritdoc IInvestorRegistry
    function setPersonalData(bytes32 investorId, address issuer, bytes calldata ciphertext)
        external
        onlyRole(REGISTRAR_ROLE)
    {
        _existingWallet(investorId);
        _publishPersonalData(investorId, issuer, ciphertext);
    }

    /// @inheritdoc IInvestorRegistry
    /// @dev The issuer itself or the registry admin may publish the issuer's key.
    function setIssuerKey(address issuer, bytes calldata publicKey) external {
        if (msg.sender != issuer && !hasRole(DEFAULT_ADMIN_ROLE, msg.sender)) {
            revert RegistryNotIssuerOrAdmin(msg.sender, issuer);
        }
        _issuerKeys[issuer] = publicKey;
        emit IssuerKeySet(issuer, publicKey);
    }

    /// @inheritdoc IInvestorRegistry
    function investorsOf(address from, address to) external view returns (Investor memory fromRecord, Investor memory toRecord) {
        // Issue (from = 0) and redeem (to = 0) skip the cold read of the empty side.
        if (from != address(0)) fromRecord = _unpack(_records[from]);
        if (to != address(0)) toRecord = _unpack(_records[to]);
    }

    /// @inheritdoc IInvestorRegistry
    /// @dev Every token calls this on every movement: the two mapping reads in assembly.
    function packedInvestorsOf(address from, address to) external view returns (uint256 fromRecord, uint256 toRecord) {
        assembly ("memory-safe") {
            mstore(0x20, _records.slot)
            if from {
                mstore(0x00, from)
                fromRecord := and(sload(keccak256(0x00, 0x40)), _FIELDS_MASK)
            }
            if to {
                mstore(0x00, to)
                toRecord := and(sload(keccak256(0x00, 0x40)), _FIELDS_MASK)
            }
        }
    }

    /// @inheritdoc IInvestorRegistry
    function investorOf(address wallet) external view returns (Investor memory) {
        return _unpack(_records[wallet]);
    }

    /// @inheritdoc IInvestorRegistry
    function walletOf(bytes32 investorId) external view returns (address) {
        return _walletOfId(investorId);
    }

    /// @inheritdoc IInvestorRegistry
    function taxStatusOf(bytes32 investorId) external view returns (TaxStatus) {
        return TaxStatus(uint8(_investors[investorId] >> _TAX_SHIFT));
    }

    /// @inheritdoc IInvestorRegistry
    function payeeOf(address wallet) external view returns (bytes32 investorId, address currentWallet, TaxStatus taxStatus) {
        investorId = _idOf(wallet);
        if (investorId == bytes32(0)) return (investorId, address(0), TaxStatus.Undeclared);
        uint256 word = _investors[investorId];
        return (investorId, address(uint160(word)), TaxStatus(uint8(word >> _TAX_SHIFT)));
    }

    /// @inheritdoc IInvestorRegistry
    function investorIdOf(address wallet) external view returns (bytes32) {
        return _idOf(wallet);
    }

    /// @inheritdoc IInvestorRegistry
    function recoveryOf(address lostWallet, address newWallet) external view returns (bytes32 investorId) {
        investorId = _idOf(newWallet);
        if (
            investorId == bytes32(0) || lostWallet == newWallet || _walletOfId(investorId) != newWallet
                || _previousWalletOf[investorId] != lostWallet
        ) return bytes32(0);
    }

    function _idOf(address wallet) private view returns (bytes32) {
        uint256 word = _records[wallet];
        if (word & _LONG_ID_FLAG != 0) return _investorIdOf[wallet];
        return bytes32(word & _ID_MASK);
    }

    /// @inheritdoc IInvestorRegistry
    function previousWalletOf(bytes32 investorId) external view returns (address) {
        return _previousWalletOf[investorId];
    }

    /// @inheritdoc IInvestorRegistry
    function isEligible(address wallet) external view returns (bool) {
        Investor memory investor = _unpack(_records[wallet]);
        return investor.status == Status.Active && block.timestamp <= investor.kycExpiry;
    }

    /// @notice The public key `issuer` published for personal data encryption (empty if none).
    function issuerKeyOf(address issuer) external view returns (bytes memory) {
        return _issuerKeys[issuer];
    }

    /// @inheritdoc IInvestorRegistry
    function investorCount() external view returns (uint256) {
        return _investorCount;
    }

    /// Checks and writes a new investor: two new slots (`_records[wallet]`, `_investors[id]`) when
    /// the id fits the record word, a third (`_investorIdOf[wallet]`) when it does not.
    function _register(
        bytes32 investorId,
        address wallet,
        InvestorClass investorClass,
        uint16 country,
        uint40 kycExpiry,
        TaxStatus taxStatus
    ) private {
        if (investorId == bytes32(0)) revert RegistryInvalidInvestorId();
        if (wallet == address(0)) revert RegistryInvalidWallet(wallet);
        if (_investors[investorId] != 0) revert RegistryInvestorExists(investorId);
        // Non-zero for a registered wallet and for a replaced one (it keeps its id bits).
        if (_records[wallet] != 0) revert RegistryWalletInUse(wallet);
        _checkProfile(country, kycExpiry);
        uint64 number = ++_investorCount;
        uint256 id = uint256(investorId);
        bool fits = id & _NOT_ID_BITS == 0;
        _records[wallet] = (fits ? id : _LONG_ID_FLAG) | _pack(Investor(number, investorClass, Status.Active, country, kycExpiry));
        _investors[investorId] = uint256(uint160(wallet)) | (uint256(taxStatus) << _TAX_SHIFT);
        if (!fits) _investorIdOf[wallet] = investorId;
        emit InvestorRegistered(investorId, wallet, investorClass, taxStatus, country, kycExpiry, msg.sender);
    }

    /// Publishes `ciphertext` for `issuer` in {PersonalDataStored} with its keccak256 commitment;
    /// nothing goes to storage (the log is the record: kabuto/ops/export.py reads it).
    function _publishPersonalData(bytes32 investorId, address issuer, bytes calldata ciphertext) private {
        if (_issuerKeys[issuer].length == 0) revert RegistryNoIssuerKey(issuer);
        emit PersonalDataStored(investorId, issuer, keccak256(ciphertext), ciphertext);
    }

    /// The record in the layout of its storage word (see {IInvestorRegistry-packedInvestorsOf}).
    function _pack(Investor memory r) private pure returns (uint256) {
        return uint256(r.number) | (uint256(uint8(r.investorClass)) << 64) | (uint256(uint8(r.status)) << 72)
            | (uint256(r.country) << 80) | (uint256(r.kycExpiry) << 96);
    }

    function _unpack(uint256 word) private pure returns (Investor memory) {
        return Investor(
            uint64(word),
            InvestorClass(uint8(word >> 64)),
            Status(uint8(word >> 72)),
            uint16(word >> 80),
            uint40(word >> 96)
        );
    }

    /// The error of the single call for the batch's bad row `row` (its ciphertext at `ct`), in
    /// {onboardInvestor}'s order; {RegistryMalformedBatch} for what only a batch can get wrong.
    function _revertBatch(bytes32[] calldata investorIds, uint256[] calldata profiles, uint256 row, uint256 ct, uint256 ctEnd)
        private
        view
    {
        if (row == investorIds.length) revert RegistryMalformedBatch(row); // bytes left over
        bytes32 investorId = investorIds[row];
        uint256 profile = profiles[row];
        address wallet = address(uint160(profile));
        uint256 tax = uint8(profile >> 160);
        if (tax > uint8(type(TaxStatus).max) || profile & _PROFILE_MUST_BE_ZERO != 0 || ct + (profile >> 240) > ctEnd) {
            revert RegistryMalformedBatch(row);
        }
        if (tax == 0) revert RegistryInvalidTaxStatus(TaxStatus.Undeclared);
        if (investorId == bytes32(0)) revert RegistryInvalidInvestorId();
        if (wallet == address(0)) revert RegistryInvalidWallet(wallet);
        if (_investors[investorId] != 0) revert RegistryInvestorExists(investorId);
        if (_records[wallet] != 0) revert RegistryWalletInUse(wallet);
        _checkProfile(uint16(profile >> 184), uint40(profile >> 200));
        revert RegistryMalformedBatch(row); // unreachable: the loop found this row bad
    }

    function _existingWallet(bytes32 investorId) private view returns (address wallet) {
        wallet = _walletOfId(investorId);
        if (wallet == address(0)) revert RegistryUnknownInvestor(investorId);
    }

    function _walletOfId(bytes32 investorId) private view returns (address) {
        return address(uint160(_investors[investorId]));
    }

    function _checkProfile(uint16 country, uint40 kycExpiry) private view {
        if (country == 0 || country > _MAX_COUNTRY) revert RegistryInvalidCountry(country);
        if (kycExpiry <= block.timestamp) revert RegistryInvalidKycExpiry(kycExpiry);
    }
}
