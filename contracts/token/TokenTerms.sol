// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {TokenApprovals} from "./TokenApprovals.sol";

/// @title TokenTerms
/// @notice The security's terms on-chain (bond: face value, coupon, dates, redemption, payment
/// token; beneficiary: issue price, distribution dates, payment token), set at deployment. Their
/// record dates are scheduled as the token's record dates, so entitlements are fixed exactly at
/// them. The views are answered by the token's TokenExtension.
abstract contract TokenTerms is TokenApprovals {
    error TokenInvalidTerms();

    /// Stores `encoded` (abi-encoded BondTerms or BeneficiaryTerms, per the token's kind) and
    /// schedules its record dates.
    function _setTerms(bytes memory encoded) internal {
        if (encoded.length == 0) return;
        uint40[] memory recordDates;
        if (_KIND == Kind.Bond) {
            BondTerms memory terms = abi.decode(encoded, (BondTerms));
            if (terms.interestPaymentDates.length != terms.interestRecordDates.length) revert TokenInvalidTerms();
            _encodedTerms = abi.encode(terms);
            recordDates = terms.interestRecordDates;
        } else {
            BeneficiaryTerms memory terms = abi.decode(encoded, (BeneficiaryTerms));
            if (terms.distributionPaymentDates.length != terms.distributionRecordDates.length) {
                revert TokenInvalidTerms();
            }
            _encodedTerms = abi.encode(terms);
            recordDates = terms.distributionRecordDates;
        }
        for (uint256 i = 0; i < recordDates.length; ++i) {
            _scheduleRecordDate(recordDates[i]);
        }
        emit TermsUpdated(_KIND);
    }

    /// @dev All zero when the token is not a bond or its terms are unset (TokenExtension).
    function bondTerms() external view returns (BondTerms memory) {
        _extensionView();
    }

    /// @dev All zero when the token is not a beneficiary interest or its terms are unset.
    function beneficiaryTerms() external view returns (BeneficiaryTerms memory) {
        _extensionView();
    }
}
