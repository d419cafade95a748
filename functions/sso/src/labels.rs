//! What each scope means to the citizen, on the consent page and in the
//! list of connected services: plain words, Vietnamese first.

use cds_shared::lang::Lang;
use cds_shared::sso::scope::Scope;

use crate::html::t;

/// The line the consent page shows for `scope`; `None` for `openid`, which
/// is the login itself.
pub fn scope_label(lang: Lang, scope: &Scope) -> Option<String> {
    let text = match scope {
        Scope::OpenId => return None,
        Scope::Profile => t(
            lang,
            "Họ tên, ngày sinh và giới tính",
            "Your name, date of birth and gender",
        ),
        Scope::Phone => t(lang, "Số điện thoại", "Your phone number"),
        Scope::Address => t(lang, "Địa chỉ", "Your address"),
        Scope::IdNumber => t(
            lang,
            "Số định danh cá nhân (CCCD) — chỉ khi tài khoản đã được xác thực",
            "Your citizen ID number — only once your account is verified",
        ),
        Scope::Level => t(
            lang,
            "Mức độ xác thực tài khoản (tạm thời hay đã xác thực)",
            "Your account's level (provisional or verified)",
        ),
        Scope::Documents(kind) => {
            let (vi, en) = document_type_name(kind);
            return Some(match lang {
                Lang::Vi => format!("Giấy tờ hiện có trong kho: {vi} (xem và tải về)"),
                Lang::En => format!("Your current documents: {en} (view and download)"),
            });
        }
    };
    Some(text.to_owned())
}

/// A document type's name.
pub fn document_type_name(kind: &str) -> (&'static str, &'static str) {
    match kind {
        "birth_certificate" => ("Giấy khai sinh", "birth certificate"),
        "household_registration" => ("Xác nhận cư trú", "residence confirmation"),
        "health_insurance" => ("Thẻ bảo hiểm y tế", "health insurance card"),
        "procedure_result" => (
            "Kết quả thủ tục hành chính",
            "administrative procedure results",
        ),
        "identity_card" => ("Căn cước công dân", "citizen identity card"),
        "driving_license" => ("Giấy phép lái xe", "driving licence"),
        "vehicle_registration" => ("Đăng ký xe", "vehicle registration"),
        "marriage_certificate" => ("Giấy chứng nhận kết hôn", "marriage certificate"),
        "education_certificate" => ("Văn bằng, chứng chỉ", "diplomas and certificates"),
        "medical_record" => ("Hồ sơ sức khỏe", "medical records"),
        _ => ("Giấy tờ khác", "other documents"),
    }
}
