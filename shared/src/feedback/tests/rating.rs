//! Satisfaction ratings: owner only, once, after closing; per-category stats.

use crate::feedback::test_support::{draft, world};
use crate::feedback::validate::validate;
use crate::feedback::{
    change, find, rate, stats, submit, ChangeRequest, FeedbackError, FeedbackPolicy, Official,
    RatingInput, Submitter, Viewer,
};
use crate::testing::World;

fn score(score: i64) -> RatingInput {
    RatingInput {
        score,
        comment: Some("Xử lý nhanh, cảm ơn.".into()),
    }
}

struct Case {
    w: World,
    citizen: String,
    official: String,
}

impl Case {
    fn new() -> Case {
        let w = world();
        let citizen = w.citizen("0905123456", "Nguyễn Văn An");
        let official = w.official("0905000001", "so-tnmt");
        Case {
            w,
            citizen,
            official,
        }
    }

    fn item(&self, category: &str) -> String {
        let v = validate(&draft(category)).unwrap();
        let who = Submitter::Citizen {
            account_id: &self.citizen,
        };
        submit(self.w.ports(), &FeedbackPolicy::default(), who, &v)
            .unwrap()
            .id
    }

    fn step(&self, id: &str, status: &str) {
        let req = ChangeRequest {
            status: Some(status.into()),
            response: Some("Đã xử lý.".into()),
            published: None,
        };
        change(
            self.w.ports(),
            Official {
                account_id: &self.official,
                unit_code: Some("so-tnmt"),
            },
            id,
            &req,
        )
        .unwrap();
    }

    fn owner(&self) -> Viewer<'_> {
        Viewer::Citizen {
            account_id: &self.citizen,
        }
    }
}

#[test]
fn only_the_owner_rates_once_after_closing() {
    let c = Case::new();
    let id = c.item("environment");
    assert_eq!(
        rate(c.w.ports(), &c.owner(), &id, &score(5)).unwrap_err(),
        FeedbackError::NotClosed
    );
    c.step(&id, "in_progress");
    assert_eq!(
        rate(c.w.ports(), &c.owner(), &id, &score(5)).unwrap_err(),
        FeedbackError::NotClosed
    );
    c.step(&id, "resolved");

    let other = c.w.citizen("0987654321", "Lê Thị Hoa");
    let stranger = Viewer::Citizen { account_id: &other };
    assert_eq!(
        rate(c.w.ports(), &stranger, &id, &score(1)).unwrap_err(),
        FeedbackError::Forbidden
    );
    let handler = Viewer::Official {
        account_id: &c.official,
        unit_code: Some("so-tnmt"),
    };
    assert_eq!(
        rate(c.w.ports(), &handler, &id, &score(5)).unwrap_err(),
        FeedbackError::Forbidden
    );
    assert_eq!(
        rate(c.w.ports(), &Viewer::Public, &id, &score(5)).unwrap_err(),
        FeedbackError::Forbidden
    );

    let rated = rate(c.w.ports(), &c.owner(), &id, &score(4)).unwrap();
    assert_eq!(rated.score, 4);
    assert_eq!(
        rate(c.w.ports(), &c.owner(), &id, &score(2)).unwrap_err(),
        FeedbackError::AlreadyRated
    );
    let stored = find(&c.w.db, &id).unwrap().unwrap().rating.unwrap();
    assert_eq!(
        (stored.score, stored.comment.as_deref()),
        (4, Some("Xử lý nhanh, cảm ơn."))
    );

    // Rejected items may be rated too.
    let rejected = c.item("environment");
    c.step(&rejected, "in_progress");
    c.step(&rejected, "rejected");
    assert!(rate(
        c.w.ports(),
        &c.owner(),
        &rejected,
        &RatingInput {
            score: 1,
            comment: None
        }
    )
    .is_ok());
    assert_eq!(
        rate(c.w.ports(), &c.owner(), "fb_missing", &score(3)).unwrap_err(),
        FeedbackError::NotFound
    );
}

#[test]
fn scores_are_whole_numbers_from_one_to_five() {
    let c = Case::new();
    let id = c.item("environment");
    for bad in [0, 6, -1, 256] {
        assert_eq!(
            rate(c.w.ports(), &c.owner(), &id, &score(bad)).unwrap_err(),
            FeedbackError::invalid("score", "out_of_range"),
            "{bad}"
        );
    }
    let long = RatingInput {
        score: 3,
        comment: Some("ồ".repeat(1_001)),
    };
    assert_eq!(
        rate(c.w.ports(), &c.owner(), &id, &long).unwrap_err(),
        FeedbackError::invalid("comment", "too_long")
    );
}

#[test]
fn stats_average_the_scores_per_category() {
    let c = Case::new();
    for s in [5, 4, 2] {
        let id = c.item("environment");
        c.step(&id, "in_progress");
        c.step(&id, "resolved");
        rate(
            c.w.ports(),
            &c.owner(),
            &id,
            &RatingInput {
                score: s,
                comment: None,
            },
        )
        .unwrap();
    }
    c.item("environment");
    let all = stats(&c.w.db).unwrap();
    let env = all.iter().find(|s| s.code == "environment").unwrap();
    assert_eq!((env.total, env.ratings), (4, 3));
    assert_eq!(env.by_status, [1, 0, 3, 0]);
    assert!((env.average.unwrap() - 11.0 / 3.0).abs() < 1e-9);
    let json = crate::feedback::rating::stats_json(env);
    assert_eq!(json["average_score"], 3.67);
    assert_eq!(json["feedback"]["resolved"], 3);
    let traffic = all.iter().find(|s| s.code == "traffic").unwrap();
    assert_eq!(
        (traffic.total, traffic.ratings, traffic.average),
        (0, 0, None)
    );
}
