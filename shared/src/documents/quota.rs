//! Per-citizen limits on the vault (read from Spin variables, with
//! defaults), so one account cannot fill the city's database:
//! * `upload_max_count` (100): uploads a citizen may hold at once;
//! * `upload_max_bytes` (104857600 = 100 MiB): their total size;
//! * `share_max_active_per_document` (20): live links (not revoked, expired
//!   or used up) to one document.
//!
//! Issued documents never count: they are the agencies' records. Deleting
//! an upload or revoking a link frees room at once. Each limit is checked
//! inside the INSERT that would exceed it (`INSERT … SELECT … WHERE (SELECT
//! count(*) …) < ?`), never read first and written after.

use crate::ports::Settings;

/// The limits in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VaultQuotas {
    /// Uploads a citizen may hold at once.
    pub upload_max_count: i64,
    /// Their total size, in bytes.
    pub upload_max_bytes: i64,
    /// Live links to one document.
    pub share_max_active_per_document: i64,
}

impl Default for VaultQuotas {
    fn default() -> VaultQuotas {
        VaultQuotas {
            upload_max_count: 100,
            upload_max_bytes: 100 * 1024 * 1024,
            share_max_active_per_document: 20,
        }
    }
}

impl VaultQuotas {
    /// The settings, each falling back to its default when unset, not a
    /// whole number, zero or negative.
    pub fn from_settings(settings: &dyn Settings) -> VaultQuotas {
        let d = VaultQuotas::default();
        VaultQuotas {
            upload_max_count: read(settings, "upload_max_count", d.upload_max_count),
            upload_max_bytes: read(settings, "upload_max_bytes", d.upload_max_bytes),
            share_max_active_per_document: read(
                settings,
                "share_max_active_per_document",
                d.share_max_active_per_document,
            ),
        }
    }
}

fn read(settings: &dyn Settings, name: &str, default: i64) -> i64 {
    settings
        .get(name)
        .and_then(|v| v.trim().parse::<i64>().ok())
        .filter(|v| *v >= 1)
        .unwrap_or(default)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::MapSettings;

    #[test]
    fn settings_override_the_defaults_and_nonsense_falls_back() {
        let s = MapSettings::default()
            .with("upload_max_count", "3")
            .with("upload_max_bytes", " 2048 ")
            .with("share_max_active_per_document", "0");
        let q = VaultQuotas::from_settings(&s);
        assert_eq!(q.upload_max_count, 3);
        assert_eq!(q.upload_max_bytes, 2048);
        assert_eq!(
            q.share_max_active_per_document,
            VaultQuotas::default().share_max_active_per_document
        );
        let junk = MapSettings::default()
            .with("upload_max_count", "lots")
            .with("upload_max_bytes", "-5");
        assert_eq!(VaultQuotas::from_settings(&junk), VaultQuotas::default());
    }
}
