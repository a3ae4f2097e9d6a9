// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

/// @title RestrictionMessages
/// @notice The ERC-1404 message table of the security token, kept out of the token's runtime code
/// (which sits near the 24,576-byte limit). Each token deploys its own copy in its constructor.
contract RestrictionMessages {
    /// One '|'-separated table in ISecurityToken.Restriction order: smaller code than twenty literals.
    string private constant _MESSAGES = "SUCCESS|token paused|sender not registered|sender not active|sender KYC expired|recipient not registered|recipient not active|recipient KYC expired|recipient class not allowed|holder cap reached|max balance exceeded|below minimum holding|lock-up period|QII resale only|issuer approval required|sender frozen|recipient frozen|insufficient free balance|token redeemed|invalid recipient";

    /// @notice The message of `restrictionCode`, or "unknown restriction code".
    function message(uint8 restrictionCode) external pure returns (string memory) {
        bytes memory table = bytes(_MESSAGES);
        uint256 start = 0;
        uint256 index = 0;
        for (uint256 i = 0; i <= table.length; ++i) {
            if (i == table.length || table[i] == "|") {
                if (index == restrictionCode) {
                    bytes memory text = new bytes(i - start);
                    for (uint256 j = 0; j < text.length; ++j) {
                        text[j] = table[start + j];
                    }
                    return string(text);
                }
                ++index;
                start = i + 1;
            }
        }
        return "unknown restriction code";
    }
}
