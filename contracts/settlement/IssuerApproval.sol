// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {ISecurityToken} from "../../interfaces/ISecurityToken.sol";

/// @title IssuerApproval
/// @notice When a settlement must carry the issuer's approval: the token's own profile decides,
/// read at settlement time (the issuer may switch approval on or off at any moment).
library IssuerApproval {
    /// @dev Excluded Class 2 rights always need the issuer's consent (their rules cannot drop
    /// it); other tokens when their rules say so. One call that reads the token's config slot,
    /// which the delivery then finds warm.
    function required(ISecurityToken token) internal view returns (bool) {
        return token.approvalRequired();
    }
}
