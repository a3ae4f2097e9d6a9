// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IInvestorRegistry} from "../../interfaces/IInvestorRegistry.sol";

/// @title InvestorRegistry
/// @notice The platform-wide register of KYC'd investors (one per platform, shared by every token).
/// @dev Hot path: tokens read `_investors[wallet]`, one slot per wallet, through one
/// `investorsOf(from, to)` staticcall per transfer. Everything else is touched only by registrar
/// operations. Personal data stays off storage except a keccak256 commitment per (investor, issuer);
/// the ciphertext (encrypted by the tooling to the issuer's key) travels in {PersonalDataStored}.
contract InvestorRegistry is IInvestorRegistry, AccessControl {
    /// Securities firms doing KYC: register, update, suspend/revoke investors, replace wallets.
    bytes32 public constant REGISTRAR_ROLE = keccak256("REGISTRAR_ROLE");

    /// ISO 3166-1 numeric codes are 1..999.
    uint16 private constant _MAX_COUNTRY = 999;

    error RegistryInvalidInvestorId();
    error RegistryInvalidStatus(Status status);
    error RegistryNoIssuerKey(address issuer);
    error RegistryNotIssuerOrAdmin(address caller, address issuer);

    /// The record every token reads (one slot, see {IInvestorRegistry.Investor}).
    mapping(address wallet => Investor) private _investors;
    mapping(bytes32 investorId => address) private _walletOf;
    mapping(bytes32 investorId => address) private _previousWalletOf;
    /// Kept for a replaced wallet too: a lost wallet is never registered again.
    mapping(address wallet => bytes32) private _investorIdOf;
    mapping(bytes32 investorId => mapping(address issuer => bytes32)) private _personalDataHash;
    mapping(address issuer => bytes) private _issuerKeys;
    uint64 private _investorCount;

    constructor(address admin) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /// @inheritdoc IInvestorRegistry
    function registerInvestor(bytes32 investorId, address wallet, InvestorClass class, uint16 country, uint40 kycExpiry)
        external
        onlyRole(REGISTRAR_ROLE)
    {
        if (investorId == bytes32(0)) revert RegistryInvalidInvestorId();
        if (wallet == address(0)) revert RegistryInvalidWallet(wallet);
        if (_walletOf[investorId] != address(0)) revert RegistryInvestorExists(investorId);
        if (_investorIdOf[wallet] != bytes32(0)) revert RegistryWalletInUse(wallet);
        _checkProfile(country, kycExpiry);
        uint64 number = ++_investorCount;
        _investors[wallet] = Investor(number, class, Status.Active, country, kycExpiry);
        _walletOf[investorId] = wallet;
        _investorIdOf[wallet] = investorId;
        emit InvestorRegistered(investorId, wallet, class, country, kycExpiry, msg.sender);
    }

    /// @inheritdoc IInvestorRegistry
    function updateInvestor(bytes32 investorId, InvestorClass class, uint16 country, uint40 kycExpiry)
        external
        onlyRole(REGISTRAR_ROLE)
    {
        Investor storage investor = _investors[_existingWallet(investorId)];
        _checkProfile(country, kycExpiry);
        investor.class = class;
        investor.country = country;
        investor.kycExpiry = kycExpiry;
        emit InvestorUpdated(investorId, class, country, kycExpiry, msg.sender);
    }

    /// @inheritdoc IInvestorRegistry
    function setInvestorStatus(bytes32 investorId, Status status) external onlyRole(REGISTRAR_ROLE) {
        if (status == Status.None) revert RegistryInvalidStatus(status);
        _investors[_existingWallet(investorId)].status = status;
        emit InvestorStatusChanged(investorId, status, msg.sender);
    }

    /// @inheritdoc IInvestorRegistry
    function replaceWallet(bytes32 investorId, address newWallet) external onlyRole(REGISTRAR_ROLE) {
        address oldWallet = _existingWallet(investorId);
        if (newWallet == address(0)) revert RegistryInvalidWallet(newWallet);
        if (_investorIdOf[newWallet] != bytes32(0)) revert RegistryWalletInUse(newWallet);
        _investors[newWallet] = _investors[oldWallet];
        delete _investors[oldWallet];
        _walletOf[investorId] = newWallet;
        _previousWalletOf[investorId] = oldWallet;
        _investorIdOf[newWallet] = investorId;
        emit WalletReplaced(investorId, oldWallet, newWallet, msg.sender);
    }

    /// @inheritdoc IInvestorRegistry
    function setPersonalData(bytes32 investorId, address issuer, bytes calldata ciphertext)
        external
        onlyRole(REGISTRAR_ROLE)
    {
        _existingWallet(investorId);
        if (_issuerKeys[issuer].length == 0) revert RegistryNoIssuerKey(issuer);
        bytes32 dataHash = keccak256(ciphertext);
        _personalDataHash[investorId][issuer] = dataHash;
        emit PersonalDataStored(investorId, issuer, dataHash, ciphertext);
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
        if (from != address(0)) fromRecord = _investors[from];
        if (to != address(0)) toRecord = _investors[to];
    }

    /// @inheritdoc IInvestorRegistry
    function packedInvestorsOf(address from, address to) external view returns (uint256 fromRecord, uint256 toRecord) {
        if (from != address(0)) fromRecord = _pack(_investors[from]);
        if (to != address(0)) toRecord = _pack(_investors[to]);
    }

    /// @inheritdoc IInvestorRegistry
    function investorOf(address wallet) external view returns (Investor memory) {
        return _investors[wallet];
    }

    /// @inheritdoc IInvestorRegistry
    function walletOf(bytes32 investorId) external view returns (address) {
        return _walletOf[investorId];
    }

    /// @inheritdoc IInvestorRegistry
    function investorIdOf(address wallet) external view returns (bytes32) {
        return _investorIdOf[wallet];
    }

    /// @inheritdoc IInvestorRegistry
    function previousWalletOf(bytes32 investorId) external view returns (address) {
        return _previousWalletOf[investorId];
    }

    /// @inheritdoc IInvestorRegistry
    function isEligible(address wallet) external view returns (bool) {
        Investor memory investor = _investors[wallet];
        return investor.status == Status.Active && block.timestamp <= investor.kycExpiry;
    }

    /// @inheritdoc IInvestorRegistry
    function personalDataHash(bytes32 investorId, address issuer) external view returns (bytes32) {
        return _personalDataHash[investorId][issuer];
    }

    /// @notice The public key `issuer` published for personal data encryption (empty if none).
    function issuerKeyOf(address issuer) external view returns (bytes memory) {
        return _issuerKeys[issuer];
    }

    /// @inheritdoc IInvestorRegistry
    function investorCount() external view returns (uint256) {
        return _investorCount;
    }

    /// The record in the layout of its storage slot (see {IInvestorRegistry-packedInvestorsOf}).
    function _pack(Investor storage r) private view returns (uint256) {
        return uint256(r.number) | (uint256(uint8(r.class)) << 64) | (uint256(uint8(r.status)) << 72)
            | (uint256(r.country) << 80) | (uint256(r.kycExpiry) << 96);
    }

    function _existingWallet(bytes32 investorId) private view returns (address wallet) {
        wallet = _walletOf[investorId];
        if (wallet == address(0)) revert RegistryUnknownInvestor(investorId);
    }

    function _checkProfile(uint16 country, uint40 kycExpiry) private view {
        if (country == 0 || country > _MAX_COUNTRY) revert RegistryInvalidCountry(country);
        if (kycExpiry <= block.timestamp) revert RegistryInvalidKycExpiry(kycExpiry);
    }
}
