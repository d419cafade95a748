//! Settings: the defaults, a patch applied whole or not at all, security
//! notices that cannot be turned off.

use std::collections::BTreeMap;

use crate::notify::settings::{self, parse_hhmm, QuietHours, SettingsPatch};
use crate::notify::{Channels, Kind, NotifyError};
use crate::testing::World;

fn channels_of(e: &settings::Effective, k: Kind) -> Channels {
    e.channels.iter().find(|(kind, _)| *kind == k).unwrap().1
}

#[test]
fn defaults_are_zalo_for_everything_and_sms_for_what_must_arrive() {
    let w = World::new();
    let who = w.citizen("0905333111", "Võ Văn Hùng");
    let e = settings::read(&w.db, &who).unwrap();
    assert_eq!(e.lang, "vi");
    assert!(!e.lang_chosen);
    assert_eq!(e.quiet, (22 * 60, 6 * 60));
    assert_eq!(
        channels_of(&e, Kind::AppointmentBooked),
        Channels {
            zalo: true,
            sms: false
        }
    );
    assert_eq!(
        channels_of(&e, Kind::AppointmentReminder),
        Channels {
            zalo: true,
            sms: true
        }
    );
    let shown = settings::settings_json(&e);
    assert_eq!(shown["quiet_hours"]["start"], "22:00");
    assert_eq!(shown["zalo_linked"], false);
}

#[test]
fn a_patch_with_one_bad_field_changes_nothing() {
    let w = World::new();
    let who = w.citizen("0905333222", "Võ Thị Hoa");
    let mut channels = BTreeMap::new();
    channels.insert("appointment_booked".to_owned(), vec!["sms".to_owned()]);
    channels.insert("security_login".to_owned(), vec!["in_app".to_owned()]);
    let patch = SettingsPatch {
        language: Some("en".into()),
        quiet_hours: None,
        channels: Some(channels),
    };
    match settings::validate(&patch) {
        Err(NotifyError::Invalid { field, .. }) => assert_eq!(field, "channels.security_login"),
        other => panic!("{other:?}"),
    }
    for (bad, field) in [
        (
            SettingsPatch {
                language: Some("fr".into()),
                ..SettingsPatch::default()
            },
            "language",
        ),
        (
            SettingsPatch {
                quiet_hours: Some(QuietHours {
                    start: "24:00".into(),
                    end: "06:00".into(),
                }),
                ..SettingsPatch::default()
            },
            "quiet_hours.start",
        ),
        (
            SettingsPatch {
                channels: Some(BTreeMap::from([("weather".to_owned(), vec![])])),
                ..SettingsPatch::default()
            },
            "channels.weather",
        ),
        (
            SettingsPatch {
                channels: Some(BTreeMap::from([(
                    "alert".to_owned(),
                    vec!["fax".to_owned()],
                )])),
                ..SettingsPatch::default()
            },
            "channels.alert",
        ),
    ] {
        match settings::validate(&bad) {
            Err(NotifyError::Invalid { field: f, .. }) => assert_eq!(f, field),
            other => panic!("{field}: {other:?}"),
        }
    }
    assert_eq!(settings::read(&w.db, &who).unwrap().lang, "vi");
}

#[test]
fn a_good_patch_keeps_what_it_does_not_name() {
    let w = World::new();
    let who = w.citizen("0905333333", "Đỗ Văn Nam");
    let first = SettingsPatch {
        language: Some("en".into()),
        quiet_hours: Some(QuietHours {
            start: "21:30".into(),
            end: "07:15".into(),
        }),
        channels: Some(BTreeMap::from([(
            "appointment_booked".to_owned(),
            vec!["in_app".to_owned(), "sms".to_owned()],
        )])),
    };
    settings::apply(&w.db, &who, &settings::validate(&first).unwrap(), 10).unwrap();
    let second = SettingsPatch {
        channels: Some(BTreeMap::from([("share_used".to_owned(), vec![])])),
        ..SettingsPatch::default()
    };
    settings::apply(&w.db, &who, &settings::validate(&second).unwrap(), 11).unwrap();
    let e = settings::read(&w.db, &who).unwrap();
    assert_eq!((e.lang.as_str(), e.lang_chosen), ("en", true));
    assert_eq!(e.quiet, (21 * 60 + 30, 7 * 60 + 15));
    assert_eq!(
        channels_of(&e, Kind::AppointmentBooked),
        Channels {
            zalo: false,
            sms: true
        }
    );
    assert_eq!(channels_of(&e, Kind::ShareUsed), Channels::default());
    assert_eq!(
        channels_of(&e, Kind::SecurityLogin),
        Channels {
            zalo: true,
            sms: true
        }
    );
}

#[test]
fn clock_times_parse_strictly() {
    assert_eq!(parse_hhmm("00:00"), Some(0));
    assert_eq!(parse_hhmm("23:59"), Some(1439));
    for bad in ["24:00", "7:00", "07:60", "0700", "07:0a", "", "07:00:00"] {
        assert_eq!(parse_hhmm(bad), None, "{bad:?}");
    }
}

#[test]
fn a_field_sent_as_null_is_refused_not_ignored() {
    for body in [
        r#"{"quiet_hours": null}"#,
        r#"{"language": null}"#,
        r#"{"channels": null}"#,
    ] {
        assert!(
            serde_json::from_str::<SettingsPatch>(body).is_err(),
            "{body}"
        );
    }
    let empty: SettingsPatch = serde_json::from_str("{}").unwrap();
    assert!(empty.language.is_none() && empty.quiet_hours.is_none() && empty.channels.is_none());
}
