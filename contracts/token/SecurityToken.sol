// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {TokenCore} from "./TokenCore.sol";
import {TokenDocuments} from "./TokenDocuments.sol";
import {TokenTerms} from "./TokenTerms.sol";

/// @title SecurityToken
/// @notice A Kabuto security token: the FIEA category and kind are fixed at deployment, the
/// issuer's rules are set within the category's profile, and every balance change passes the
/// same rule engine (see docs/security-token.md).
contract SecurityToken is TokenTerms, TokenDocuments {
    /// @param terms abi-encoded BondTerms (kind Bond) or BeneficiaryTerms (kind Beneficiary);
    /// empty to leave the terms unset.
    constructor(
        string memory name_,
        string memory symbol_,
        Category category_,
        Kind kind_,
        address registry_,
        address admin,
        Rules memory rules_,
        bytes memory terms
    ) TokenCore(name_, symbol_, category_, kind_, registry_) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _setRules(rules_);
        _setTerms(terms);
    }
}
