//! The claims UserInfo releases (docs/sso.md, "Scopes and claims"): only
//! those of the consented scopes, and `id_number` only for a citizen an
//! official verified, only with the `id_number` scope.

use serde_json::{json, Value};

use super::helpers::citizen;
use crate::documents::profile::{read_profile, update_profile, Profile, ProfilePatch};
use crate::identity::{mark_verified, Level, Verification};
use crate::sso::claims::userinfo;
use crate::sso::scope::ScopeSet;
use crate::testing::World;

const NUMBER: &str = "048190012345";
const SUB: &str = "pairwise-sub-of-this-service";

/// A citizen who filled in every profile field and declared a CCCD number.
fn filled(w: &World) -> String {
    let me = citizen(w, 1);
    let patch: ProfilePatch = serde_json::from_value(json!({
        "full_name": "Nguyễn Thị Hoa",
        "date_of_birth": "1990-04-30",
        "gender": "female",
        "id_number": NUMBER,
        "address": "12 Bạch Đằng, Hải Châu, Đà Nẵng",
    }))
    .unwrap();
    update_profile(w.ports(), &me, &patch).unwrap();
    me
}

fn profile(w: &World, who: &str) -> Profile {
    read_profile(w.ports(), who).unwrap().unwrap()
}

fn released(profile: &Profile, scope: &str) -> (Value, Vec<&'static str>) {
    userinfo(profile, &ScopeSet::parse(scope).unwrap(), SUB)
}

fn keys(v: &Value) -> Vec<&str> {
    let mut k: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    k.sort_unstable();
    k
}

#[test]
fn id_number_is_released_only_for_a_verified_citizen_and_only_with_its_scope() {
    let w = World::new();
    let me = filled(&w);
    let declared = profile(&w, &me);
    let (body, names) = released(&declared, "openid id_number");
    assert_eq!(
        body,
        json!({ "sub": SUB }),
        "a declared number is not released"
    );
    assert!(names.is_empty());

    assert!(matches!(
        mark_verified(w.ports(), &me).unwrap(),
        Verification::Verified { .. }
    ));
    let verified = profile(&w, &me);
    let (body, names) = released(&verified, "openid id_number");
    assert_eq!(body, json!({ "sub": SUB, "id_number": NUMBER }));
    assert_eq!(names, ["id_number"]);
    let (body, _) = released(&verified, "openid profile phone address level");
    assert_eq!(
        body.get("id_number"),
        None,
        "not without the id_number scope"
    );
    assert!(!body.to_string().contains(NUMBER), "{body}");
    // The level decides, not the number's presence alone (a profile that
    // holds a confirmed number but is not verified releases none).
    let not_verified = Profile {
        level: Level::Provisional,
        ..verified
    };
    let (body, _) = released(&not_verified, "openid id_number");
    assert_eq!(body, json!({ "sub": SUB }));
}

#[test]
fn nothing_outside_the_scopes_is_released() {
    let w = World::new();
    let me = filled(&w);
    let p = profile(&w, &me);
    let (body, names) = released(&p, "openid");
    assert_eq!(body, json!({ "sub": SUB }));
    assert!(names.is_empty());

    let (body, names) = released(&p, "openid profile");
    assert_eq!(
        body,
        json!({
            "sub": SUB,
            "name": "Nguyễn Thị Hoa",
            "birthdate": "1990-04-30",
            "gender": "female",
        })
    );
    assert_eq!(names, ["name", "birthdate", "gender"]);

    let (body, _) = released(&p, "openid phone");
    assert_eq!(
        body,
        json!({ "sub": SUB, "phone_number": "+84900000001", "phone_number_verified": true })
    );
    let (body, _) = released(&p, "openid address");
    assert_eq!(
        body,
        json!({ "sub": SUB, "address": { "formatted": "12 Bạch Đằng, Hải Châu, Đà Nẵng" } })
    );
    let (body, _) = released(&p, "openid level");
    assert_eq!(body, json!({ "sub": SUB, "level": "provisional" }));
    let (body, _) = released(&p, "openid documents:birth_certificate");
    assert_eq!(
        body,
        json!({ "sub": SUB }),
        "documents are pulled, not claims"
    );

    let (body, names) = released(&p, "openid profile phone address level id_number");
    assert_eq!(
        keys(&body),
        [
            "address",
            "birthdate",
            "gender",
            "level",
            "name",
            "phone_number",
            "phone_number_verified",
            "sub"
        ]
    );
    assert_eq!(
        names.len(),
        keys(&body).len() - 1,
        "every claim but sub is named"
    );
}

#[test]
fn an_empty_profile_releases_no_empty_claims() {
    let w = World::new();
    let me = citizen(&w, 3);
    let patch: ProfilePatch = serde_json::from_value(json!({ "full_name": null })).unwrap();
    update_profile(w.ports(), &me, &patch).unwrap();
    let p = profile(&w, &me);
    let (body, names) = released(&p, "openid profile address");
    assert_eq!(
        body,
        json!({ "sub": SUB }),
        "no null name, birthdate or address"
    );
    assert!(names.is_empty());
}
