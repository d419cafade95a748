//! Declared CCCD numbers are claims (issue 12, item 1): many accounts may
//! claim one number, setting one never reveals whether it is held, only an
//! official's verification confirms it (409 when another verified citizen
//! holds it, clearing other claims otherwise), and only confirmed numbers
//! route issuer pushes.

use serde_json::json;

use crate::documents::issuer::{push, PushOutcome, PushRequest};
use crate::documents::profile::{
    read_profile, update_profile, IdNumberStatus, Profile, ProfilePatch,
};
use crate::documents::test_support::{citizen, issuer, pdf, world};
use crate::documents::DocError;
use crate::identity::{mark_verified, Level, Verification};
use crate::testing::World;

const NUMBER: &str = "048190012345";

fn claim(w: &World, who: &str, number: &str) -> Result<Profile, DocError> {
    let patch: ProfilePatch =
        serde_json::from_str(&format!(r#"{{"id_number":"{number}"}}"#)).unwrap();
    update_profile(w.ports(), who, &patch)
}

fn verified(w: &World, who: &str) -> (Option<String>, Vec<String>) {
    match mark_verified(w.ports(), who).unwrap() {
        Verification::Verified {
            account,
            confirmed_id_number,
            cleared_claims,
        } => {
            assert_eq!(account.level, Level::Verified);
            (confirmed_id_number, cleared_claims)
        }
        other => panic!("expected a verification, got {other:?}"),
    }
}

fn request(who: serde_json::Value, external_id: &str) -> PushRequest {
    serde_json::from_value(json!({
        "citizen": who,
        "type": "health_insurance",
        "title": "Thẻ BHYT",
        "content_base64": base64::Engine::encode(&base64::engine::general_purpose::STANDARD, pdf(external_id)),
        "content_type": "application/pdf",
        "issued_at": "2026-11-20",
        "external_id": external_id,
    }))
    .unwrap()
}

fn delivered_to(o: Result<PushOutcome, DocError>) -> String {
    match o {
        Ok(PushOutcome::Created(d) | PushOutcome::Existing(d)) => d.citizen_id,
        Err(e) => panic!("push refused: {e:?}"),
    }
}

fn vault_size(w: &World, who: &str) -> i64 {
    w.db.scalar(&format!(
        "SELECT count(*) FROM documents WHERE citizen_id = '{who}'"
    ))
}

#[test]
fn several_provisional_accounts_may_claim_one_number() {
    let w = world();
    let a = citizen(w.ports(), "0905123456", None);
    let b = citizen(w.ports(), "0905654321", None);
    for who in [&a, &b] {
        let p = claim(&w, who, NUMBER).unwrap();
        assert_eq!(p.given_id_number(), Some(NUMBER));
        assert_eq!(p.id_number_status(), Some(IdNumberStatus::Declared));
        assert_eq!(p.id_number, None, "a claim is not a confirmed number");
        assert!(!p.missing().contains(&"id_number"));
    }
    assert_eq!(
        w.db.scalar(&format!(
            "SELECT count(*) FROM id_number_claims WHERE id_number = '{NUMBER}'"
        )),
        2
    );
    assert_eq!(
        w.db.scalar("SELECT count(*) FROM citizens WHERE id_number IS NOT NULL"),
        0
    );
}

#[test]
fn setting_a_number_answers_the_same_whether_or_not_anyone_holds_it() {
    // Three worlds that differ only in who else holds the number: nobody,
    // another provisional claim, a verified citizen. The claimant's answer
    // (and what they read back) must be identical.
    let answers: Vec<_> = ["free", "claimed", "verified"]
        .into_iter()
        .map(|case| {
            let w = world();
            let other = citizen(w.ports(), "0905000009", None);
            if case != "free" {
                claim(&w, &other, NUMBER).unwrap();
            }
            if case == "verified" {
                verified(&w, &other);
            }
            let me = citizen(w.ports(), "0905123456", Some("Lê Văn Tám"));
            let answer = claim(&w, &me, NUMBER).map(|p| Profile {
                citizen_id: String::new(),
                ..p
            });
            let read = read_profile(w.ports(), &me).unwrap().map(|p| Profile {
                citizen_id: String::new(),
                ..p
            });
            (answer, read)
        })
        .collect();
    assert!(answers[0].0.is_ok(), "{:?}", answers[0]);
    assert_eq!(answers[0], answers[1]);
    assert_eq!(answers[0], answers[2]);
}

#[test]
fn verification_confirms_the_claim_and_clears_everyone_elses() {
    let w = world();
    let squatter = citizen(w.ports(), "0905000009", None);
    let owner = citizen(w.ports(), "0905123456", None);
    let third = citizen(w.ports(), "0905654321", None);
    let unrelated = citizen(w.ports(), "0905111222", None);
    for who in [&squatter, &owner, &third] {
        claim(&w, who, NUMBER).unwrap();
    }
    claim(&w, &unrelated, "001090012345").unwrap();

    let (confirmed, cleared) = verified(&w, &owner);
    assert_eq!(confirmed.as_deref(), Some(NUMBER));
    let mut expected = vec![squatter.clone(), third.clone()];
    expected.sort();
    assert_eq!(cleared, expected);

    let p = read_profile(w.ports(), &owner).unwrap().unwrap();
    assert_eq!(
        (p.id_number.as_deref(), p.id_number_status()),
        (Some(NUMBER), Some(IdNumberStatus::Verified))
    );
    assert_eq!(
        p.declared_id_number, None,
        "the claim moved, it is not also still a claim"
    );
    for who in [&squatter, &third] {
        let p = read_profile(w.ports(), who).unwrap().unwrap();
        assert_eq!(
            (p.given_id_number(), p.level),
            (None, Level::Provisional),
            "{who}"
        );
    }
    // Claims of other numbers are untouched.
    assert_eq!(
        read_profile(w.ports(), &unrelated)
            .unwrap()
            .unwrap()
            .declared_id_number
            .as_deref(),
        Some("001090012345")
    );
    // Verifying again confirms nothing new and clears nothing.
    assert_eq!(verified(&w, &owner), (None, vec![]));
}

#[test]
fn verification_is_refused_when_another_verified_citizen_holds_the_number() {
    let w = world();
    let owner = citizen(w.ports(), "0905123456", None);
    claim(&w, &owner, NUMBER).unwrap();
    verified(&w, &owner);
    let squatter = citizen(w.ports(), "0905000009", None);
    claim(&w, &squatter, NUMBER).unwrap();
    let before = read_profile(w.ports(), &squatter).unwrap().unwrap();
    w.clock.advance(60);

    assert_eq!(
        mark_verified(w.ports(), &squatter).unwrap(),
        Verification::IdNumberTaken {
            claimed_id_number: NUMBER.to_owned()
        }
    );
    // Nothing changed: still provisional, still claiming, same updated_at.
    assert_eq!(read_profile(w.ports(), &squatter).unwrap().unwrap(), before);
    let o = read_profile(w.ports(), &owner).unwrap().unwrap();
    assert_eq!(
        (o.id_number.as_deref(), o.level),
        (Some(NUMBER), Level::Verified)
    );

    // With the claim withdrawn, the same citizen can be verified.
    update_profile(
        w.ports(),
        &squatter,
        &serde_json::from_str(r#"{"id_number":null}"#).unwrap(),
    )
    .unwrap();
    assert_eq!(verified(&w, &squatter), (None, vec![]));
    assert_eq!(
        mark_verified(w.ports(), "cit_nobody").unwrap(),
        Verification::NotFound
    );
}

#[test]
fn a_verified_citizen_without_a_number_may_declare_one_for_the_next_verification() {
    let w = world();
    let me = citizen(w.ports(), "0905123456", None);
    verified(&w, &me);
    let p = claim(&w, &me, NUMBER).unwrap();
    assert_eq!(
        (p.id_number_status(), p.level),
        (Some(IdNumberStatus::Declared), Level::Verified)
    );
    // Declared only: it routes nothing yet.
    let iss = issuer(w.ports(), "bhxh");
    assert_eq!(
        push(
            w.ports(),
            &iss,
            &request(json!({"id_number": NUMBER}), "T-0")
        )
        .err(),
        Some(DocError::CitizenNotFound)
    );
    assert_eq!(verified(&w, &me), (Some(NUMBER.to_owned()), vec![]));
    assert_eq!(
        delivered_to(push(
            w.ports(),
            &iss,
            &request(json!({"id_number": NUMBER}), "T-1")
        )),
        me
    );
    // Now confirmed, it is locked.
    assert_eq!(
        claim(&w, &me, "001090012345").err(),
        Some(DocError::ProfileLocked(vec!["id_number"]))
    );
}

#[test]
fn a_push_by_id_number_reaches_only_a_confirmed_number() {
    let w = world();
    let iss = issuer(w.ports(), "bhxh");
    let squatter = citizen(w.ports(), "0905000009", None);
    claim(&w, &squatter, NUMBER).unwrap();
    // A claimed number is exactly as unknown as a number nobody has.
    let claimed = push(
        w.ports(),
        &iss,
        &request(json!({"id_number": NUMBER}), "BHYT-1"),
    );
    let nobody = push(
        w.ports(),
        &iss,
        &request(json!({"id_number": "001001001001"}), "BHYT-2"),
    );
    assert_eq!(claimed.err(), Some(DocError::CitizenNotFound));
    assert_eq!(nobody.err(), Some(DocError::CitizenNotFound));
    assert_eq!(vault_size(&w, &squatter), 0);

    let owner = citizen(w.ports(), "0905123456", None);
    claim(&w, &owner, NUMBER).unwrap();
    verified(&w, &owner);
    assert_eq!(
        delivered_to(push(
            w.ports(),
            &iss,
            &request(json!({"id_number": NUMBER}), "BHYT-1")
        )),
        owner
    );
    assert_eq!(vault_size(&w, &squatter), 0);
}

#[test]
fn a_push_by_phone_and_id_number_needs_both_to_match_one_account() {
    let w = world();
    let iss = issuer(w.ports(), "bhxh");
    let me = citizen(w.ports(), "0905123456", None);
    claim(&w, &me, NUMBER).unwrap();
    // The phone was proven by a code; the claim agrees with the issuer's record.
    let both = request(json!({"phone": "0905123456", "id_number": NUMBER}), "A-1");
    assert_eq!(delivered_to(push(w.ports(), &iss, &both)), me);
    // The issuer's record names someone else (e.g. a recycled SIM): nobody.
    let mismatch = request(
        json!({"phone": "0905123456", "id_number": "001090012345"}),
        "A-2",
    );
    assert_eq!(
        push(w.ports(), &iss, &mismatch).err(),
        Some(DocError::CitizenNotFound)
    );
    // A squatter's claim does not pull a push sent to another phone.
    let squatter = citizen(w.ports(), "0905000009", None);
    claim(&w, &squatter, "001090012345").unwrap();
    assert_eq!(
        push(w.ports(), &iss, &mismatch).err(),
        Some(DocError::CitizenNotFound)
    );
    assert_eq!(vault_size(&w, &squatter), 0);
    // The phone alone reaches its account, provisional or not.
    assert_eq!(
        delivered_to(push(
            w.ports(),
            &iss,
            &request(json!({"phone": "0905000009"}), "A-3")
        )),
        squatter
    );
}

#[test]
fn the_migration_moves_provisional_numbers_into_claims_and_can_rerun() {
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    conn.execute_batch(crate::testing::MIGRATION_0002).unwrap();
    conn.execute_batch(
        "INSERT INTO citizens (id, phone, level, id_number, created_at, updated_at) VALUES \
           ('cit_p', '+84905000001', 'provisional', '048190012345', 1, 7), \
           ('cit_v', '+84905000002', 'verified', '001090012345', 1, 8), \
           ('cit_n', '+84905000003', 'provisional', NULL, 1, 9)",
    )
    .unwrap();
    for _ in 0..2 {
        conn.execute_batch(crate::testing::MIGRATION_0008).unwrap();
    }
    let claims: Vec<(String, String, i64)> = conn
        .prepare(
            "SELECT citizen_id, id_number, claimed_at FROM id_number_claims ORDER BY citizen_id",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        claims,
        vec![("cit_p".to_owned(), "048190012345".to_owned(), 7)]
    );
    let confirmed: Vec<(String, Option<String>)> = conn
        .prepare("SELECT id, id_number FROM citizens ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        confirmed,
        vec![
            ("cit_n".to_owned(), None),
            ("cit_p".to_owned(), None),
            ("cit_v".to_owned(), Some("001090012345".to_owned()))
        ]
    );
}
