//! The audit actions, as stable strings stored in `audit_log.action`.
//!
//! Stored values outlive code, so these never change spelling; add new ones
//! rather than renaming.

/// Stored as `signup`.
pub const SIGNUP: &str = "signup";
/// Stored as `login`.
pub const LOGIN: &str = "login";
/// Stored as `logout`.
pub const LOGOUT: &str = "logout";
/// Stored as `otp_failed`.
pub const OTP_FAILED: &str = "otp_failed";
/// Stored as `phone_locked`.
pub const PHONE_LOCKED: &str = "phone_locked";
/// Stored as `session_revoked`.
pub const SESSION_REVOKED: &str = "session_revoked";
/// Stored as `role_changed`.
pub const ROLE_CHANGED: &str = "role_changed";
/// Stored as `citizen_verified`.
pub const CITIZEN_VERIFIED: &str = "citizen_verified";
/// Verification refused: the citizen claims a CCCD number another verified
/// citizen holds (nothing changed).
pub const CITIZEN_VERIFICATION_REFUSED: &str = "citizen_verification_refused";
/// A provisional citizen's claim of a CCCD number was cleared because an
/// official confirmed that number for another citizen.
pub const ID_NUMBER_CLAIM_CLEARED: &str = "id_number_claim_cleared";
/// Stored as `share_created`.
pub const SHARE_CREATED: &str = "share_created";
/// Stored as `share_used`.
pub const SHARE_USED: &str = "share_used";
/// Stored as `share_revoked`.
pub const SHARE_REVOKED: &str = "share_revoked";
/// Stored as `qr_verified`.
pub const QR_VERIFIED: &str = "qr_verified";
/// Stored as `document_issued`.
pub const DOCUMENT_ISSUED: &str = "document_issued";
/// Stored as `document_revoked`.
pub const DOCUMENT_REVOKED: &str = "document_revoked";
/// Stored as `document_accessed`.
pub const DOCUMENT_ACCESSED: &str = "document_accessed";
/// Stored as `feedback_status_changed`.
pub const FEEDBACK_STATUS_CHANGED: &str = "feedback_status_changed";
/// Stored as `unit_created`.
pub const UNIT_CREATED: &str = "unit_created";
/// Stored as `official_created`.
pub const OFFICIAL_CREATED: &str = "official_created";
/// Stored as `issuer_created`.
pub const ISSUER_CREATED: &str = "issuer_created";
/// Stored as `issuer_revoked`.
pub const ISSUER_REVOKED: &str = "issuer_revoked";
/// Stored as `service_created`.
pub const SERVICE_CREATED: &str = "service_created";
/// Stored as `feedback_category_created`.
pub const FEEDBACK_CATEGORY_CREATED: &str = "feedback_category_created";
/// A Zalo user was linked to the account by the chat-bot (docs/zalo.md).
pub const ZALO_LINKED: &str = "zalo_linked";
/// Appointments (docs/appointments.md): an official created slots; a ticket was checked
/// in at a desk or kiosk; an official marked a booking fulfilled or no-show.
pub const APPOINTMENT_SLOTS_CREATED: &str = "appointment_slots_created";
/// Stored as `appointment_checked_in`.
pub const APPOINTMENT_CHECKED_IN: &str = "appointment_checked_in";
/// Stored as `appointment_status_changed`.
pub const APPOINTMENT_STATUS_CHANGED: &str = "appointment_status_changed";
/// Documents (docs/documents.md): a citizen replaced their personal QR (old codes
/// stop verifying); a citizen changed their profile (field names only).
pub const QR_ROTATED: &str = "qr_rotated";
/// Stored as `profile_updated`.
pub const PROFILE_UPDATED: &str = "profile_updated";
/// API keys (docs/admin.md): a kiosk was registered; a key (issuer,
/// partner or kiosk) was revoked; an official was deactivated (role back to
/// citizen, sessions ended).
pub const KIOSK_CREATED: &str = "kiosk_created";
/// Stored as `key_revoked`.
pub const KEY_REVOKED: &str = "key_revoked";
/// Stored as `official_deactivated`.
pub const OFFICIAL_DEACTIVATED: &str = "official_deactivated";
/// Stored as `sso_client_created`: the admin registered a city service.
pub const SSO_CLIENT_CREATED: &str = "sso_client_created";
/// Stored as `sso_client_secret_rotated`.
pub const SSO_CLIENT_SECRET_ROTATED: &str = "sso_client_secret_rotated";
/// Stored as `sso_client_disabled`.
pub const SSO_CLIENT_DISABLED: &str = "sso_client_disabled";
/// Stored as `sso_consent_given`: the citizen agreed on the consent page.
pub const SSO_CONSENT_GIVEN: &str = "sso_consent_given";
/// Stored as `sso_token_issued`: a service got tokens for the citizen.
pub const SSO_TOKEN_ISSUED: &str = "sso_token_issued";
/// Stored as `sso_claims_released`: a service read the citizen's claims.
pub const SSO_CLAIMS_RELEASED: &str = "sso_claims_released";
/// Stored as `sso_document_pulled`: a service fetched the citizen's documents.
pub const SSO_DOCUMENT_PULLED: &str = "sso_document_pulled";
/// Stored as `sso_grant_revoked`: a replayed code, a reused refresh token,
/// or the citizen disconnecting the service ended a grant.
pub const SSO_GRANT_REVOKED: &str = "sso_grant_revoked";
/// Alerts (docs/alerts.md): an official published an alert, an update or
/// a cancel (one CAP message each).
pub const ALERT_PUBLISHED: &str = "alert_published";
/// Stored as `alert_updated`.
pub const ALERT_UPDATED: &str = "alert_updated";
/// Stored as `alert_cancelled`.
pub const ALERT_CANCELLED: &str = "alert_cancelled";
/// The admin granted an official the `alerts` role.
pub const ALERT_PUBLISHER_GRANTED: &str = "alert_publisher_granted";
/// The admin took the `alerts` role back.
pub const ALERT_PUBLISHER_REVOKED: &str = "alert_publisher_revoked";

/// Every action above, for validation and docs.
pub const ALL: &[&str] = &[
    SIGNUP,
    LOGIN,
    LOGOUT,
    OTP_FAILED,
    PHONE_LOCKED,
    SESSION_REVOKED,
    ROLE_CHANGED,
    CITIZEN_VERIFIED,
    CITIZEN_VERIFICATION_REFUSED,
    ID_NUMBER_CLAIM_CLEARED,
    SHARE_CREATED,
    SHARE_USED,
    SHARE_REVOKED,
    QR_VERIFIED,
    DOCUMENT_ISSUED,
    DOCUMENT_REVOKED,
    DOCUMENT_ACCESSED,
    FEEDBACK_STATUS_CHANGED,
    UNIT_CREATED,
    OFFICIAL_CREATED,
    ISSUER_CREATED,
    ISSUER_REVOKED,
    SERVICE_CREATED,
    FEEDBACK_CATEGORY_CREATED,
    ZALO_LINKED,
    APPOINTMENT_SLOTS_CREATED,
    APPOINTMENT_CHECKED_IN,
    APPOINTMENT_STATUS_CHANGED,
    QR_ROTATED,
    PROFILE_UPDATED,
    KIOSK_CREATED,
    KEY_REVOKED,
    OFFICIAL_DEACTIVATED,
    SSO_CLIENT_CREATED,
    SSO_CLIENT_SECRET_ROTATED,
    SSO_CLIENT_DISABLED,
    SSO_CONSENT_GIVEN,
    SSO_TOKEN_ISSUED,
    SSO_CLAIMS_RELEASED,
    SSO_DOCUMENT_PULLED,
    SSO_GRANT_REVOKED,
    ALERT_PUBLISHED,
    ALERT_UPDATED,
    ALERT_CANCELLED,
    ALERT_PUBLISHER_GRANTED,
    ALERT_PUBLISHER_REVOKED,
];
