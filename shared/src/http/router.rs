//! The method + path router over closures, and the 405 check for
//! components that match paths themselves.

use crate::error::ApiError;

use super::path::more_specific;
use super::{match_path, Request, Response};

/// Checks the method of a request whose path already matched: `Ok` when it
/// is one of `methods`, else 405 with `Allow: <methods>`.
///
/// ```
/// use cds_shared::http::{allow, Request};
/// let req = Request::from_uri("PUT", "/api/v1/me");
/// let err = allow(&["GET", "PATCH"], &req).unwrap_err();
/// assert_eq!(err.allow().as_deref(), Some("GET, PATCH"));
/// ```
pub fn allow(methods: &[&str], req: &Request) -> Result<(), ApiError> {
    if methods.iter().any(|m| *m == req.method) {
        Ok(())
    } else {
        Err(ApiError::MethodNotAllowed {
            allow: methods.iter().map(|m| (*m).to_owned()).collect(),
        })
    }
}

/// The `:name` captures of a matched route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Params<'a> {
    pairs: Vec<(&'static str, &'a str)>,
}

impl<'a> Params<'a> {
    /// The value captured by `:name`. A name that is not in the route's
    /// pattern is a programming error, reported as 500 `internal`.
    pub fn get(&self, name: &str) -> Result<&'a str, ApiError> {
        self.pairs
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| *v)
            .ok_or_else(|| ApiError::internal(format!("route has no parameter `{name}`")))
    }

    /// All captures in pattern order.
    pub fn values(&self) -> Vec<&'a str> {
        self.pairs.iter().map(|(_, v)| *v).collect()
    }
}

type Handler<'r> = Box<dyn Fn(&Request, &Params<'_>) -> Result<Response, ApiError> + 'r>;

struct Route<'r> {
    method: &'static str,
    pattern: &'static str,
    handler: Handler<'r>,
}

/// A small method + path router over closures.
///
/// A path names the resource of the most specific pattern it matches,
/// compared segment by segment from the left as Spin's router does: a literal
/// segment beats a capture with a literal suffix (`:code.json`), which beats a
/// plain capture (see [`more_specific`]). So `/appointments/slots` wins over
/// `/appointments/:id`, and `/a/b/:y` over `/a/:x/b`, whatever the order the
/// routes were added in; only patterns of the same shape (`/a/:x` and `/a/:y`)
/// fall back to the first added. The route of that pattern with the request's method runs; if
/// there is none, `OPTIONS` gets 204 and any other method 405, both with
/// `Allow` listing the pattern's methods; if no pattern matched, 404
/// `not_found`. Handlers may borrow the component's ports (`'r`).
///
/// ```
/// use cds_shared::http::{Request, Response, Router};
/// let router = Router::new()
///     .get("/api/v1/documents/:id", |_req, p| Ok(Response::json(200, &p.get("id")?)))
///     .delete("/api/v1/documents/:id", |_req, _p| Ok(Response::no_content()));
///
/// let ok = router.dispatch(&Request::from_uri("GET", "/api/v1/documents/d_1")).unwrap();
/// assert_eq!(ok.body, br#""d_1""#);
/// let err = router.dispatch(&Request::from_uri("PUT", "/api/v1/documents/d_1")).unwrap_err();
/// assert_eq!(err.allow().as_deref(), Some("GET, DELETE"));
/// ```
#[derive(Default)]
pub struct Router<'r> {
    routes: Vec<Route<'r>>,
}

/// One `Router` method per HTTP method, each [`Router::route`] with the
/// method's name filled in.
macro_rules! method_routes {
    ($($(#[$doc:meta])* $name:ident => $method:literal,)*) => {
        $(
            $(#[$doc])*
            pub fn $name<F>(self, pattern: &'static str, handler: F) -> Router<'r>
            where
                F: Fn(&Request, &Params<'_>) -> Result<Response, ApiError> + 'r,
            {
                self.route($method, pattern, handler)
            }
        )*
    };
}

impl<'r> Router<'r> {
    /// A router with no routes (every request is 404).
    pub fn new() -> Router<'r> {
        Router { routes: Vec::new() }
    }

    /// Adds a route for `method` (upper-case) and `pattern` (see [`match_path`]).
    pub fn route<F>(mut self, method: &'static str, pattern: &'static str, handler: F) -> Router<'r>
    where
        F: Fn(&Request, &Params<'_>) -> Result<Response, ApiError> + 'r,
    {
        self.routes.push(Route {
            method,
            pattern,
            handler: Box::new(handler),
        });
        self
    }

    method_routes! {
        /// Adds a `GET` route (see [`Router::route`]).
        get => "GET",
        /// Adds a `POST` route (see [`Router::route`]).
        post => "POST",
        /// Adds a `PUT` route (see [`Router::route`]).
        put => "PUT",
        /// Adds a `PATCH` route (see [`Router::route`]).
        patch => "PATCH",
        /// Adds a `DELETE` route (see [`Router::route`]).
        delete => "DELETE",
    }

    /// Runs the matching handler (see the type's docs for 404/405/OPTIONS).
    pub fn dispatch(&self, req: &Request) -> Result<Response, ApiError> {
        // The resource a path names is the most specific pattern it matches:
        // `/appointments/desk` is the desk, not appointment "desk", so the
        // methods of `/appointments/:id` neither run for it nor appear in its
        // `Allow`. Among equally specific patterns the first added wins.
        let mut best: Option<&'static str> = None;
        for route in &self.routes {
            if match_path(route.pattern, &req.path).is_none() {
                continue;
            }
            if best.is_none_or(|b| more_specific(route.pattern, b)) {
                best = Some(route.pattern);
            }
        }
        let Some(pattern) = best else {
            return Err(ApiError::not_found());
        };
        let mut allowed: Vec<String> = Vec::new();
        for route in self.routes.iter().filter(|r| r.pattern == pattern) {
            if route.method == req.method {
                let values = match_path(route.pattern, &req.path).unwrap_or_default();
                let params = Params {
                    pairs: capture_names(route.pattern).zip(values).collect(),
                };
                return (route.handler)(req, &params);
            }
            if !allowed.iter().any(|m| m == route.method) {
                allowed.push(route.method.to_owned());
            }
        }
        // RFC 9110 §9.3.7: OPTIONS asks which methods a resource supports.
        // Unless a route handles it, the answer is 204 with that `Allow`.
        if req.method == "OPTIONS" {
            return Ok(Response::no_content().with_header("allow", &allowed.join(", ")));
        }
        Err(ApiError::MethodNotAllowed { allow: allowed })
    }
}

fn capture_names(pattern: &'static str) -> impl Iterator<Item = &'static str> {
    pattern.split('/').filter_map(|seg| {
        let name = seg.strip_prefix(':')?;
        Some(name.split_once('.').map_or(name, |(n, _)| n))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::test_helpers::body_json;
    use crate::lang::Lang;
    use serde_json::json;
    use std::cell::Cell;

    #[test]
    fn allow_yields_405_with_allow_list() {
        let req = Request::from_uri("DELETE", "/x");
        assert_eq!(allow(&["DELETE"], &req), Ok(()));
        let err = allow(&["GET", "POST"], &req).err();
        assert_eq!(err.as_ref().map(ApiError::status), Some(405));
        assert_eq!(err.and_then(|e| e.allow()).as_deref(), Some("GET, POST"));
    }

    #[test]
    fn router_dispatches_by_method_and_path() {
        let calls = Cell::new(0);
        let router = Router::new()
            .get("/api/v1/appointments/:id", |_r, p| {
                calls.set(calls.get() + 1);
                Ok(Response::json(200, &json!({"id": p.get("id")?})))
            })
            .delete("/api/v1/appointments/:id", |_r, _p| {
                Ok(Response::no_content())
            })
            .post("/api/v1/appointments/:id/reschedule", |_r, p| {
                Ok(Response::json(200, &p.values()))
            });
        let r = router.dispatch(&Request::from_uri("GET", "/api/v1/appointments/a1"));
        assert_eq!(r.map(|r| body_json(&r)), Ok(json!({"id":"a1"})));
        assert_eq!(calls.get(), 1);
        let r = router.dispatch(&Request::from_uri("DELETE", "/api/v1/appointments/a1/"));
        assert_eq!(r.map(|r| r.status), Ok(204));
        let r = router.dispatch(&Request::from_uri(
            "POST",
            "/api/v1/appointments/a1/reschedule",
        ));
        assert_eq!(r.map(|r| body_json(&r)), Ok(json!(["a1"])));
    }

    #[test]
    fn router_answers_405_with_every_allowed_method() {
        let router = Router::new()
            .get("/api/v1/me", |_r, _p| Ok(Response::no_content()))
            .patch("/api/v1/me", |_r, _p| Ok(Response::no_content()))
            .get("/api/v1/me", |_r, _p| Ok(Response::no_content()));
        let err = router
            .dispatch(&Request::from_uri("POST", "/api/v1/me"))
            .err();
        assert_eq!(
            err,
            Some(ApiError::MethodNotAllowed {
                allow: vec!["GET".into(), "PATCH".into()]
            })
        );
    }

    #[test]
    fn router_prefers_a_literal_route_to_a_capture_whatever_the_order() {
        let router = Router::new()
            .get("/api/v1/appointments/:id", |_r, p| {
                Ok(Response::json(200, &json!({"id": p.get("id")?})))
            })
            .delete("/api/v1/appointments/:id", |_r, _p| {
                Ok(Response::no_content())
            })
            .get("/api/v1/appointments/desk", |_r, _p| {
                Ok(Response::json(200, &json!("desk")))
            });
        let desk = router.dispatch(&Request::from_uri("GET", "/api/v1/appointments/desk"));
        assert_eq!(desk.map(|r| body_json(&r)), Ok(json!("desk")));
        // The desk is not appointment "desk": DELETE is not one of its methods.
        let err = router
            .dispatch(&Request::from_uri("DELETE", "/api/v1/appointments/desk"))
            .err();
        assert_eq!(
            err,
            Some(ApiError::MethodNotAllowed {
                allow: vec!["GET".into()]
            })
        );
        let one = router.dispatch(&Request::from_uri("GET", "/api/v1/appointments/a1"));
        assert_eq!(one.map(|r| body_json(&r)), Ok(json!({"id":"a1"})));
    }

    #[test]
    fn router_prefers_exact_segments_in_either_declaration_order() {
        // The first match used to win among patterns with as many captures:
        // `/a/:x/b` declared first took `/a/b/b` from `/a/b/:y`.
        let slots = |r: Router<'static>| {
            r.get("/api/v1/appointments/slots", |_r, _p| {
                Ok(Response::json(200, &json!("slots")))
            })
        };
        let one = |r: Router<'static>| {
            r.get("/api/v1/appointments/:id", |_r, p| {
                Ok(Response::json(200, &json!({"id": p.get("id")?})))
            })
        };
        let inner = |r: Router<'static>| {
            r.get("/x/:a/b", |_r, _p| Ok(Response::json(200, &json!("inner"))))
        };
        let outer = |r: Router<'static>| {
            r.get("/x/b/:c", |_r, _p| Ok(Response::json(200, &json!("outer"))))
        };
        let suffixed = |r: Router<'static>| {
            r.get("/s/:code.json", |_r, _p| {
                Ok(Response::json(200, &json!("json")))
            })
        };
        let plain = |r: Router<'static>| {
            r.get("/s/:code", |_r, _p| {
                Ok(Response::json(200, &json!("plain")))
            })
        };
        // Each pair declared both ways round.
        let routers = [
            plain(suffixed(inner(outer(one(slots(Router::new())))))),
            suffixed(plain(outer(inner(slots(one(Router::new())))))),
        ];
        for router in &routers {
            let get = |path: &str| {
                router
                    .dispatch(&Request::from_uri("GET", path))
                    .map(|r| body_json(&r))
            };
            assert_eq!(get("/api/v1/appointments/slots"), Ok(json!("slots")));
            assert_eq!(get("/api/v1/appointments/a1"), Ok(json!({"id": "a1"})));
            assert_eq!(get("/x/b/b"), Ok(json!("outer")));
            assert_eq!(get("/x/c/b"), Ok(json!("inner")));
            assert_eq!(get("/s/env.json"), Ok(json!("json")));
            assert_eq!(get("/s/env"), Ok(json!("plain")));
        }
    }

    #[test]
    fn router_answers_options_with_the_allowed_methods() {
        let router = Router::new()
            .get("/api/v1/me", |_r, _p| Ok(Response::no_content()))
            .patch("/api/v1/me", |_r, _p| Ok(Response::no_content()))
            .get("/api/v1/:any", |_r, _p| Ok(Response::no_content()))
            .post("/api/v1/:any", |_r, _p| Ok(Response::no_content()));
        let resp = router.dispatch(&Request::from_uri("OPTIONS", "/api/v1/me"));
        let resp = resp.unwrap_or_else(|e| Response::from_error(&e, Lang::En));
        assert_eq!(resp.status, 204);
        assert_eq!(resp.header("allow"), Some("GET, PATCH"));
        assert!(resp.body.is_empty());
        assert_eq!(
            router
                .dispatch(&Request::from_uri("OPTIONS", "/api/v1/a/b"))
                .err(),
            Some(ApiError::not_found())
        );
    }

    #[test]
    fn router_answers_404_for_unknown_paths() {
        let router = Router::new().get("/api/v1/me", |_r, _p| Ok(Response::no_content()));
        assert_eq!(
            router
                .dispatch(&Request::from_uri("GET", "/api/v1/you"))
                .err(),
            Some(ApiError::not_found())
        );
    }

    #[test]
    fn params_report_unknown_names_as_internal() {
        let router = Router::new().get("/s/:code.json", |_r, p| {
            assert_eq!(p.get("code"), Ok("env"));
            p.get("id").map(|_| Response::no_content())
        });
        assert_eq!(
            router
                .dispatch(&Request::from_uri("GET", "/s/env.json"))
                .err(),
            Some(ApiError::internal(""))
        );
    }
}
