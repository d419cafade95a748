//! The workflow: the transition table, applied by officials of the right
//! unit only, recorded in the history and the audit log, and safe when two
//! officials act at once.

use std::sync::{Arc, Barrier};

use crate::audit::{self, action};
use crate::feedback::test_support::{draft, seed, world, world_on_file};
use crate::feedback::validate::validate;
use crate::feedback::{
    change, find, history, submit, transition, ChangeRequest, FeedbackError, FeedbackPolicy,
    Official, Status, Submitter, Transition,
};
use crate::testing::{remove_db, temp_db_path, MapSettings, World};

/// The transitions docs/feedback.md allows; every other pair is refused.
const ALLOWED: [(Status, Status); 3] = [
    (Status::Received, Status::InProgress),
    (Status::InProgress, Status::Resolved),
    (Status::InProgress, Status::Rejected),
];

#[test]
fn the_transition_table_allows_exactly_the_specified_pairs() {
    let mut checked = 0;
    for from in Status::ALL {
        for to in Status::ALL {
            let want = if ALLOWED.contains(&(from, to)) {
                Transition::Allowed
            } else {
                Transition::Refused
            };
            assert_eq!(
                transition(from, to),
                want,
                "{} -> {}",
                from.as_str(),
                to.as_str()
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 16);
}

#[test]
fn statuses_round_trip_and_map_to_open311() {
    for s in Status::ALL {
        assert_eq!(Status::parse(s.as_str()), Some(s));
    }
    assert_eq!(Status::parse("done"), None);
    let open311: Vec<&str> = Status::ALL.iter().map(|s| s.open311()).collect();
    assert_eq!(open311, ["open", "open", "closed", "closed"]);
}

struct Desk {
    w: World,
    citizen: String,
    official: String,
}

impl Desk {
    fn new() -> Desk {
        let w = world();
        let citizen = w.citizen("0905123456", "Nguyễn Văn An");
        let official = w.official("0905000001", "so-tnmt");
        Desk {
            w,
            citizen,
            official,
        }
    }

    fn submit(&self) -> String {
        let v = validate(&draft("environment")).unwrap();
        let who = Submitter::Citizen {
            account_id: &self.citizen,
        };
        submit(self.w.ports(), &FeedbackPolicy::default(), who, &v)
            .unwrap()
            .id
    }

    fn me(&self) -> Official<'_> {
        Official {
            account_id: &self.official,
            unit_code: Some("so-tnmt"),
        }
    }

    /// Changes the item and appends its audit entry, as the component does.
    fn set(&self, id: &str, to: Status) -> Result<crate::feedback::Changed, FeedbackError> {
        self.w.clock.advance(60);
        let changed = change(self.w.ports(), self.me(), id, &req(to))?;
        audit::append(&self.w.db, &self.w.clock, changed.audit.clone()).unwrap();
        Ok(changed)
    }

    /// A new item, moved along the workflow to `status`.
    fn item_in(&self, status: Status) -> String {
        let id = self.submit();
        let path: &[Status] = match status {
            Status::Received => &[],
            Status::InProgress => &[Status::InProgress],
            Status::Resolved => &[Status::InProgress, Status::Resolved],
            Status::Rejected => &[Status::InProgress, Status::Rejected],
        };
        for step in path {
            self.set(&id, *step).unwrap();
        }
        id
    }
}

fn req(to: Status) -> ChangeRequest {
    ChangeRequest {
        status: Some(to.as_str().into()),
        response: Some("Đã kiểm tra hiện trường.".into()),
        published: None,
    }
}

#[test]
fn every_pair_is_applied_or_refused_by_the_domain_as_the_table_says() {
    let d = Desk::new();
    for from in Status::ALL {
        for to in Status::ALL {
            let id = d.item_in(from);
            let steps_before = history(&d.w.db, &find(&d.w.db, &id).unwrap().unwrap())
                .unwrap()
                .len();
            let result = d.set(&id, to);
            let after = find(&d.w.db, &id).unwrap().unwrap();
            let steps = history(&d.w.db, &after).unwrap();
            if ALLOWED.contains(&(from, to)) {
                let changed = result.unwrap_or_else(|e| panic!("{from:?} -> {to:?}: {e}"));
                assert_eq!(changed.from, Some(from));
                assert_eq!(after.status, to);
                assert_eq!(steps.len(), steps_before + 1);
                let last = steps.last().unwrap();
                assert_eq!((last.from, last.status), (Some(from), to));
            } else {
                assert_eq!(
                    result.unwrap_err(),
                    FeedbackError::InvalidTransition { from, to },
                    "{from:?} -> {to:?}"
                );
                assert_eq!(
                    after.status, from,
                    "a refused change leaves the item as it was"
                );
                assert_eq!(steps.len(), steps_before);
            }
        }
    }
}

#[test]
fn closing_needs_a_response_and_the_body_must_ask_for_something() {
    let d = Desk::new();
    let id = d.item_in(Status::InProgress);
    for to in [Status::Resolved, Status::Rejected] {
        let bare = ChangeRequest {
            status: Some(to.as_str().into()),
            response: Some("  ".into()),
            published: None,
        };
        assert_eq!(
            change(d.w.ports(), d.me(), &id, &bare).unwrap_err(),
            FeedbackError::invalid("response", "required")
        );
    }
    let empty = ChangeRequest::default();
    assert_eq!(
        change(d.w.ports(), d.me(), &id, &empty).unwrap_err(),
        FeedbackError::invalid("status", "required")
    );
    let unknown = ChangeRequest {
        status: Some("done".into()),
        ..ChangeRequest::default()
    };
    assert_eq!(
        change(d.w.ports(), d.me(), &id, &unknown).unwrap_err(),
        FeedbackError::invalid("status", "unknown_value")
    );
    // Taking an item in progress needs no note.
    let fresh = d.submit();
    let take = ChangeRequest {
        status: Some("in_progress".into()),
        ..ChangeRequest::default()
    };
    assert!(change(d.w.ports(), d.me(), &fresh, &take).is_ok());
}

#[test]
fn only_officials_of_the_items_unit_may_change_it() {
    let d = Desk::new();
    let id = d.submit();
    let other = d.w.official("0905000002", "so-gtvt");
    let other_unit = Official {
        account_id: &other,
        unit_code: Some("so-gtvt"),
    };
    let no_unit = Official {
        account_id: &other,
        unit_code: None,
    };
    let take = req(Status::InProgress);
    assert_eq!(
        change(d.w.ports(), other_unit, &id, &take).unwrap_err(),
        FeedbackError::Forbidden
    );
    assert_eq!(
        change(d.w.ports(), no_unit, &id, &take).unwrap_err(),
        FeedbackError::Forbidden
    );
    assert_eq!(
        change(d.w.ports(), d.me(), "fb_nope", &take).unwrap_err(),
        FeedbackError::NotFound
    );

    // Hidden from the public: the other unit may not even learn it exists.
    let hide = ChangeRequest {
        published: Some(false),
        ..ChangeRequest::default()
    };
    let hidden = change(d.w.ports(), d.me(), &id, &hide).unwrap();
    assert!(!hidden.feedback.published);
    assert_eq!(hidden.from, None, "publishing is not a status change");
    assert_eq!(
        change(d.w.ports(), other_unit, &id, &take).unwrap_err(),
        FeedbackError::NotFound
    );
    assert_eq!(
        find(&d.w.db, &id).unwrap().unwrap().status,
        Status::Received
    );

    // Nobody handles their own complaint, even in their own unit.
    let own = d.w.citizen("0905000001", "ignored");
    assert_eq!(own, d.official);
    let v = validate(&draft("environment")).unwrap();
    let mine = submit(
        d.w.ports(),
        &FeedbackPolicy::default(),
        Submitter::Citizen { account_id: &own },
        &v,
    )
    .unwrap();
    assert_eq!(
        change(d.w.ports(), d.me(), &mine.id, &take).unwrap_err(),
        FeedbackError::Forbidden
    );
}

#[test]
fn each_change_is_in_the_history_and_the_audit_log() {
    let d = Desk::new();
    let id = d.item_in(Status::Resolved);
    let f = find(&d.w.db, &id).unwrap().unwrap();
    assert_eq!(f.response.as_deref(), Some("Đã kiểm tra hiện trường."));
    let steps = history(&d.w.db, &f).unwrap();
    let path: Vec<(Option<Status>, Status)> = steps.iter().map(|s| (s.from, s.status)).collect();
    assert_eq!(
        path,
        vec![
            (None, Status::Received),
            (Some(Status::Received), Status::InProgress),
            (Some(Status::InProgress), Status::Resolved)
        ]
    );
    assert_eq!(
        steps[0].actor.as_deref(),
        Some(format!("citizen:{}", d.citizen).as_str())
    );
    assert_eq!(
        steps[2].actor.as_deref(),
        Some(format!("official:{}", d.official).as_str())
    );
    assert!(steps.windows(2).all(|p| p[0].at < p[1].at));

    let entries = audit::entries_about(&d.w.db, &d.citizen, 100, None).unwrap();
    let changes: Vec<_> = entries
        .iter()
        .filter(|e| e.action == action::FEEDBACK_STATUS_CHANGED)
        .collect();
    assert_eq!(changes.len(), 2);
    let newest = changes[0].detail_value();
    assert_eq!(newest["from"], "in_progress");
    assert_eq!(newest["to"], "resolved");
    assert_eq!(newest["tracking_code"], f.tracking_code);
    assert_eq!(changes[0].actor, format!("official:{}", d.official));
    assert!(audit::verify(&d.w.db).unwrap().ok);
}

#[test]
fn two_officials_acting_at_once_cannot_both_change_an_item() {
    let path = temp_db_path("feedback-race");
    let setup = world_on_file(&path, 0, MapSettings::default());
    seed(&setup);
    let citizen = setup.citizen("0905123456", "Nguyễn Văn An");
    let officials = [
        setup.official("0905000001", "so-tnmt"),
        setup.official("0905000003", "so-tnmt"),
    ];
    let v = validate(&draft("environment")).unwrap();
    let mut items = Vec::new();
    for _ in 0..12 {
        let who = Submitter::Citizen {
            account_id: &citizen,
        };
        let id = submit(setup.ports(), &FeedbackPolicy::default(), who, &v)
            .unwrap()
            .id;
        change(
            setup.ports(),
            Official {
                account_id: &officials[0],
                unit_code: Some("so-tnmt"),
            },
            &id,
            &req(Status::InProgress),
        )
        .unwrap();
        items.push(id);
    }
    let path = Arc::new(path);
    let items = Arc::new(items);
    let barrier = Arc::new(Barrier::new(2));
    let handles: Vec<_> = officials
        .iter()
        .enumerate()
        .map(|(i, official)| {
            let (path, items, barrier, official) = (
                path.clone(),
                items.clone(),
                barrier.clone(),
                official.clone(),
            );
            std::thread::spawn(move || {
                let w = world_on_file(&path, 10 + i as u64, MapSettings::default());
                let to = if i == 0 {
                    Status::Resolved
                } else {
                    Status::Rejected
                };
                items
                    .iter()
                    .map(|id| {
                        barrier.wait();
                        change(
                            w.ports(),
                            Official {
                                account_id: &official,
                                unit_code: Some("so-tnmt"),
                            },
                            id,
                            &req(to),
                        )
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let results: Vec<Vec<_>> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    for (n, id) in items.iter().enumerate() {
        let outcomes = [&results[0][n], &results[1][n]];
        assert_eq!(
            outcomes.iter().filter(|r| r.is_ok()).count(),
            1,
            "{id}: {outcomes:?}"
        );
        for r in outcomes.iter().filter_map(|r| r.as_ref().err()) {
            assert!(
                matches!(
                    r,
                    FeedbackError::StatusChanged { .. } | FeedbackError::InvalidTransition { .. }
                ),
                "{r:?}"
            );
        }
        let f = find(&setup.db, id).unwrap().unwrap();
        let closing = history(&setup.db, &f)
            .unwrap()
            .iter()
            .filter(|s| s.status.is_closed())
            .count();
        assert_eq!(closing, 1, "exactly one closing entry for {id}");
    }
    remove_db(&path);
}
