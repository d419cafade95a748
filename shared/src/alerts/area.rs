//! The city's areas (migration 0016: Đà Nẵng, its districts, their wards
//! and communes) and which alerts concern an area.
//!
//! **Who gets an alert** (docs/alerts.md). A citizen's address is free text
//! (`citizens.address`). The fan-out folds it as
//! `' ' || lower(replace(address, 'Đ', 'đ')) || ' '` with `,` `.` `-` `;`
//! turned into spaces, and an area matches when one of its spellings in
//! `area_names` (` <name> `, lower-case with or without diacritics) appears
//! in it between word boundaries: "12 Lê Duẩn, P. Thạch Thang, Q. Hải
//! Châu" is in the ward Thạch Thang and the district Hải Châu; "Hoa Phu"
//! is not in "Hoa Phuoc". An alert for a ward reaches the addresses that
//! name the ward; one for a district those that name the district or any
//! of its wards; one for the city every citizen with an address.

use super::store;
use crate::ports::{Sql, StoreError};
use serde::Serialize;

/// The level of an area.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Đà Nẵng.
    City,
    /// A district (quận, huyện).
    District,
    /// A ward or commune (phường, xã).
    Ward,
}

impl Kind {
    /// The storage spelling.
    pub fn parse(s: &str) -> Option<Kind> {
        match s {
            "city" => Some(Kind::City),
            "district" => Some(Kind::District),
            "ward" => Some(Kind::Ward),
            _ => None,
        }
    }
}

/// One area.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Area {
    /// The API's code (`hai-chau`, `thach-thang`).
    pub code: String,
    /// City, district or ward.
    pub kind: Kind,
    /// The Vietnamese name (`Hải Châu`).
    pub name: String,
    /// The district of a ward, the city of a district.
    pub parent: Option<String>,
    /// The General Statistics Office's code, where there is one.
    pub gso_code: Option<String>,
}

/// Every area, the city first, then each district followed by its wards.
pub fn all(sql: &dyn Sql) -> Result<Vec<Area>, StoreError> {
    store::areas(sql)
}

/// The area of `code` among `areas`.
pub fn find<'a>(areas: &'a [Area], code: &str) -> Option<&'a Area> {
    areas.iter().find(|a| a.code == code)
}

/// The codes whose alerts concern someone in `code`: the area itself, the
/// areas above it, and the areas below it (a district's kiosk shows an
/// alert for one of its wards).
pub fn concerning(areas: &[Area], code: &str) -> Vec<String> {
    let mut out = vec![code.to_owned()];
    let mut up = find(areas, code).and_then(|a| a.parent.clone());
    while let Some(parent) = up {
        if out.contains(&parent) {
            break;
        }
        up = find(areas, &parent).and_then(|a| a.parent.clone());
        out.push(parent);
    }
    let mut frontier = vec![code.to_owned()];
    while let Some(next) = frontier.pop() {
        for child in areas
            .iter()
            .filter(|a| a.parent.as_deref() == Some(next.as_str()))
        {
            if !out.contains(&child.code) {
                out.push(child.code.clone());
                frontier.push(child.code.clone());
            }
        }
    }
    out
}
