// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {ISecurityToken} from "../../interfaces/ISecurityToken.sol";

/// @title IssuerApproval
/// @notice When a settlement must carry the issuer's approval: the token's own profile decides,
/// read at settlement time (the issuer may switch approval on or off at any moment).
library IssuerApproval {
    /// @dev Excluded Class 2 rights always need the issuer's consent; other tokens when their
    /// rules say so.
    function required(ISecurityToken token) internal view returns (bool) {
        return token.category() == ISecurityToken.Category.ExcludedClass2 || token.rules().approvalRequired;
    }
}
