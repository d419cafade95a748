//! A scripted `HttpClient` that records what it was asked to send.

use std::cell::RefCell;

use crate::ports::{HttpClient, OutboundRequest, OutboundResponse};

pub struct FakeHttp {
    pub answer: Result<OutboundResponse, String>,
    pub sent: RefCell<Vec<OutboundRequest>>,
}

impl FakeHttp {
    pub fn answering(status: u16, body: &str) -> FakeHttp {
        FakeHttp {
            answer: Ok(OutboundResponse {
                status,
                body: body.as_bytes().to_vec(),
            }),
            sent: RefCell::new(Vec::new()),
        }
    }

    pub fn failing(reason: &str) -> FakeHttp {
        FakeHttp {
            answer: Err(reason.to_owned()),
            sent: RefCell::new(Vec::new()),
        }
    }

    /// The single request sent, with its body parsed as JSON.
    pub fn only_request(&self) -> (OutboundRequest, serde_json::Value) {
        let sent = self.sent.borrow();
        assert_eq!(sent.len(), 1, "expected exactly one request");
        let req = sent[0].clone();
        let body = serde_json::from_slice(&req.body).unwrap();
        (req, body)
    }
}

impl HttpClient for FakeHttp {
    fn send(&self, request: &OutboundRequest) -> Result<OutboundResponse, String> {
        self.sent.borrow_mut().push(request.clone());
        self.answer.clone()
    }
}
