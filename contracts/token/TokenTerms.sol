// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {ISecurityToken} from "../../interfaces/ISecurityToken.sol";
import {TokenApprovals} from "./TokenApprovals.sol";

/// @title TokenTerms
/// @notice The security's terms on-chain (bond: face value, coupon, dates, redemption, payment
/// token; beneficiary: issue price, distribution dates, payment token). Their record dates are
/// scheduled as the token's record dates, so entitlements are fixed exactly at them.
abstract contract TokenTerms is TokenApprovals {
    BondTerms private _bondTerms;
    BeneficiaryTerms private _beneficiaryTerms;

    error TokenInvalidTerms();

    /// Stores `encoded` (abi-encoded BondTerms or BeneficiaryTerms, per the token's kind) and
    /// schedules its record dates.
    function _setTerms(bytes memory encoded) internal {
        if (encoded.length == 0) return;
        uint40[] memory recordDates;
        if (_KIND == Kind.Bond) {
            BondTerms memory terms = abi.decode(encoded, (BondTerms));
            if (terms.interestPaymentDates.length != terms.interestRecordDates.length) revert TokenInvalidTerms();
            _bondTerms = terms;
            recordDates = terms.interestRecordDates;
        } else {
            BeneficiaryTerms memory terms = abi.decode(encoded, (BeneficiaryTerms));
            if (terms.distributionPaymentDates.length != terms.distributionRecordDates.length) {
                revert TokenInvalidTerms();
            }
            _beneficiaryTerms = terms;
            recordDates = terms.distributionRecordDates;
        }
        for (uint256 i = 0; i < recordDates.length; ++i) {
            _scheduleRecordDate(recordDates[i]);
        }
        emit TermsUpdated(_KIND);
    }

    function bondTerms() external view returns (BondTerms memory) {
        return _bondTerms;
    }

    function beneficiaryTerms() external view returns (BeneficiaryTerms memory) {
        return _beneficiaryTerms;
    }
}
