// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title IInvestorRegistry
/// @notice The platform-wide register of KYC'd investors that every Kabuto token and the yen
/// coin consult. Registrars (securities firms) onboard investors; an investor has exactly one
/// active wallet. Personal data never appears in clear: each issuer receives it encrypted to
/// its own key (see docs/registry.md for where the ciphertext lives and why).
interface IInvestorRegistry {
    /// Investor classes under the FIEA (bit positions in a token's allowed-class mask).
    /// 0 general, 1 specified (professional) investor, 2 qualified institutional investor (QII),
    /// 3 entity eligible for specially permitted business.
    enum InvestorClass {
        General,
        Specified,
        QualifiedInstitutional,
        SpeciallyPermitted
    }

    /// How payments to the investor are withheld (docs/corporate-actions.md, "Withholding tax"):
    /// not the investor class. Undeclared (registered without one) is withheld at the highest
    /// rate until the registrar records it.
    enum TaxStatus {
        Undeclared,
        ResidentIndividual, // 15.315% national (incl. reconstruction surtax) + 5% local
        DomesticCorporation, // 15.315% national, no local tax (since 2016)
        NonResident, // 15.315% national or the treaty rate the paying agent sets, no local tax
        Exempt // no withholding (e.g. financial institutions under the special measures)
    }

    enum Status {
        None, // never registered
        Active,
        Suspended,
        Revoked
    }

    /// @dev One storage slot per wallet, read by every token on every transfer. (`investorClass`,
    /// not `class`: a field named after a Python keyword breaks Ape's decoding.)
    struct Investor {
        uint64 number; // registry-internal sequence number of the investor (1-based)
        InvestorClass investorClass;
        Status status;
        uint16 country; // ISO 3166-1 numeric, e.g. 392 for Japan
        uint40 kycExpiry; // unix time after which the KYC must be renewed
    }

    error RegistryInvalidWallet(address wallet);
    error RegistryInvestorExists(bytes32 investorId);
    error RegistryUnknownInvestor(bytes32 investorId);
    error RegistryWalletInUse(address wallet);
    error RegistryInvalidKycExpiry(uint40 kycExpiry);
    error RegistryInvalidCountry(uint16 country);
    error RegistryInvalidTaxStatus(TaxStatus taxStatus);
    /// A batch whose arrays disagree, or whose row `index` has a class or tax status outside its
    /// enum or a ciphertext running past the end of `ciphertexts` (index = rows: bytes left over).
    error RegistryMalformedBatch(uint256 index);

    event InvestorRegistered(
        bytes32 indexed investorId,
        address indexed wallet,
        InvestorClass investorClass,
        TaxStatus taxStatus,
        uint16 country,
        uint40 kycExpiry,
        address registrar
    );
    event InvestorUpdated(bytes32 indexed investorId, InvestorClass investorClass, uint16 country, uint40 kycExpiry, address registrar);
    event InvestorStatusChanged(bytes32 indexed investorId, Status status, address registrar);
    /// @notice The investor's wallet was replaced (lost key); tokens honour it through recovery.
    event WalletReplaced(bytes32 indexed investorId, address indexed oldWallet, address indexed newWallet, address registrar);
    /// @notice Personal data for `issuer`, encrypted to the issuer's registered public key.
    event PersonalDataStored(bytes32 indexed investorId, address indexed issuer, bytes32 dataHash, bytes ciphertext);
    event IssuerKeySet(address indexed issuer, bytes publicKey);
    /// @notice The investor's tax status was changed by {setTaxStatus} (at registration it is in
    /// {InvestorRegistered}).
    event TaxStatusSet(bytes32 indexed investorId, TaxStatus taxStatus, address registrar);

    /// @notice Registers an investor with its active wallet. Emits {InvestorRegistered}.
    function registerInvestor(bytes32 investorId, address wallet, InvestorClass investorClass, uint16 country, uint40 kycExpiry)
        external;

    /// @notice Onboarding in one transaction: {registerInvestor} with the investor's tax status,
    /// then {setPersonalData} for `issuer`. Emits {InvestorRegistered} and {PersonalDataStored};
    /// all or nothing.
    function onboardInvestor(
        bytes32 investorId,
        address wallet,
        InvestorClass investorClass,
        TaxStatus taxStatus,
        uint16 country,
        uint40 kycExpiry,
        address issuer,
        bytes calldata ciphertext
    ) external;

    /// @notice {onboardInvestor} for many investors in one transaction, all or nothing, with the
    /// same records and the same two events per investor, in row order. Calldata is most of the
    /// cost left, so a row is two words and its ciphertext: `investorIds[i]`, and `profiles[i]` =
    /// wallet (bits 0..159) | tax status (160..167) | class (168..175) | zero (176..183) | country
    /// (184..199) | kycExpiry (200..239) | ciphertext length (240..255); the ciphertexts are concatenated in
    /// row order in `ciphertexts` (kabuto/onboarding_batch.py encodes it). Every row is published
    /// for the one `issuer`.
    function onboardInvestors(address issuer, bytes32[] calldata investorIds, uint256[] calldata profiles, bytes calldata ciphertexts)
        external;

    /// @notice Records the investor's tax status (registrar). Emits {TaxStatusSet}.
    function setTaxStatus(bytes32 investorId, TaxStatus taxStatus) external;

    function updateInvestor(bytes32 investorId, InvestorClass investorClass, uint16 country, uint40 kycExpiry) external;

    function setInvestorStatus(bytes32 investorId, Status status) external;

    /// @notice Replaces the investor's wallet (lost key). The old wallet stops being eligible at once.
    function replaceWallet(bytes32 investorId, address newWallet) external;

    /// @notice Publishes the investor's personal data for `issuer`, encrypted by the tooling to the
    /// issuer's key, in {PersonalDataStored} (ciphertext and its keccak256). Nothing is stored:
    /// the latest event per (investor, issuer) is the current data.
    function setPersonalData(bytes32 investorId, address issuer, bytes calldata ciphertext) external;

    function setIssuerKey(address issuer, bytes calldata publicKey) external;

    function investorOf(address wallet) external view returns (Investor memory);

    /// @notice Both parties' records in one call: what a token reads on every transfer.
    function investorsOf(address from, address to) external view returns (Investor memory, Investor memory);

    /// @notice Both parties' records packed as their storage words: what a token reads on every
    /// transfer when gas matters (no struct encoding). Layout, low bits first: number (64),
    /// class (8), status (8), country (16), kycExpiry (40). Zero for address(0).
    function packedInvestorsOf(address from, address to) external view returns (uint256 fromRecord, uint256 toRecord);

    function walletOf(bytes32 investorId) external view returns (address);

    function taxStatusOf(bytes32 investorId) external view returns (TaxStatus);

    /// @notice Who is paid for `wallet`'s holding: its investor's id, the investor's current
    /// wallet and tax status (what a payment needs, in one call). A replaced wallet answers with
    /// its investor's current wallet; a wallet never registered with (0, address(0), Undeclared).
    function payeeOf(address wallet) external view returns (bytes32 investorId, address currentWallet, TaxStatus taxStatus);

    function investorIdOf(address wallet) external view returns (bytes32);

    /// @notice The wallet the investor used before its latest replacement (zero if none).
    function previousWalletOf(bytes32 investorId) external view returns (address);

    /// @notice The investor id when `newWallet` is the investor's current wallet and `lostWallet`
    /// the one its latest replacement retired (what a lost-key recovery needs), else zero.
    function recoveryOf(address lostWallet, address newWallet) external view returns (bytes32 investorId);

    /// @notice True when `wallet` is registered, active and its KYC has not expired.
    function isEligible(address wallet) external view returns (bool);

    function investorCount() external view returns (uint256);
}
