//! Bad input is refused whole, naming every broken field, and stores
//! nothing.

use super::*;
use crate::alerts::draft::DraftInput;
use crate::alerts::AlertError;

fn refused_fields(w: &World, by: &str, input: &DraftInput) -> Vec<String> {
    match publish::publish(&ports(w), by, input) {
        Err(AlertError::Invalid(fields)) => {
            let mut names: Vec<String> = fields.into_iter().map(|(f, _)| f).collect();
            names.sort();
            names.dedup();
            names
        }
        other => panic!("expected a 422, got {other:?}"),
    }
}

#[test]
fn an_empty_draft_names_every_required_field_and_stores_nothing() {
    let w = World::new();
    let by = publisher(&w);
    resident(&w, "0905300001", Some("Thạch Thang, Hải Châu"));
    assert_eq!(
        refused_fields(&w, &by, &DraftInput::default()),
        [
            "areas",
            "category",
            "certainty",
            "description",
            "event",
            "expires",
            "headline",
            "severity",
            "urgency"
        ]
    );
    assert_eq!(w.db.scalar("SELECT count(*) FROM alerts"), 0);
    assert_eq!(
        w.db.scalar("SELECT count(*) FROM notifications WHERE kind = 'alert'"),
        0
    );
}

#[test]
fn wrong_words_times_and_areas_are_each_named() {
    let w = World::new();
    let by = publisher(&w);
    let bad = DraftInput {
        status: Some("Draft".into()),
        category: Some("met".into()),
        severity: Some("Catastrophic".into()),
        effective: Some("tomorrow".into()),
        areas: Some(vec!["hai-chau".into(), "gotham".into()]),
        headline: Some("x".repeat(161)),
        description: Some("  ".into()),
        ..flood(&[])
    };
    assert_eq!(
        refused_fields(&w, &by, &bad),
        [
            "areas",
            "category",
            "description",
            "effective",
            "headline",
            "severity",
            "status"
        ]
    );
    let backwards = DraftInput {
        effective: Some("2026-11-30T08:00:00+07:00".into()),
        expires: Some("2026-11-30T07:00:00+07:00".into()),
        ..flood(&["hai-chau"])
    };
    assert_eq!(refused_fields(&w, &by, &backwards), ["expires"]);
    let past = DraftInput {
        effective: Some("2026-11-01".into()),
        expires: Some("2026-11-02".into()),
        ..flood(&["hai-chau"])
    };
    assert_eq!(refused_fields(&w, &by, &past), ["expires"]);
    let too_long = DraftInput {
        expires: Some("2027-03-01".into()),
        ..flood(&["hai-chau"])
    };
    assert_eq!(refused_fields(&w, &by, &too_long), ["expires"]);
    let none = flood(&[]);
    assert_eq!(refused_fields(&w, &by, &none), ["areas"]);
    assert_eq!(w.db.scalar("SELECT count(*) FROM alerts"), 0);
}

#[test]
fn repeated_areas_count_once_and_text_is_cleaned() {
    let w = World::new();
    let by = publisher(&w);
    let m = publish_as(
        &w,
        &by,
        &DraftInput {
            headline: Some("  Cảnh báo ngập lụt  ".into()),
            instruction: Some("".into()),
            ..flood(&["hai-chau", " hai-chau", "son-tra"])
        },
    );
    assert_eq!(m.areas, vec!["hai-chau".to_owned(), "son-tra".to_owned()]);
    assert_eq!(m.headline, "Cảnh báo ngập lụt");
    assert_eq!(m.instruction, None);
}
