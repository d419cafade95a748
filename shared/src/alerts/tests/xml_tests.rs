//! The CAP document: the schema's element order, escaping, the time form,
//! and references to every earlier message of the chain.

use super::*;
use crate::alerts::area;
use crate::alerts::draft::CancelInput;
use crate::alerts::feed;
use crate::alerts::xml::{cap_document, escape, index_document};

#[test]
fn escaping_covers_markup_and_drops_what_xml_cannot_carry() {
    assert_eq!(
        escape("a<b>&\"c\" 'd'\u{1}\n"),
        "a&lt;b&gt;&amp;&quot;c&quot; &apos;d&apos;\n"
    );
}

#[test]
fn a_cancel_document_references_the_whole_chain_in_cap_form() {
    let w = World::new();
    let by = publisher(&w);
    let first = publish_as(
        &w,
        &by,
        &DraftInput {
            headline: Some("Lũ <khẩn cấp> & sạt lở".into()),
            ..flood(&["thach-thang", "hoa-bac"])
        },
    );
    w.clock.advance(60);
    publish::cancel(&ports(&w), &by, &first.alert_id, &CancelInput::default()).unwrap();
    let chain = feed::chain(&w.db, &first.alert_id).unwrap();
    let areas = area::all(&w.db).unwrap();
    let doc = cap_document(&chain[1], &chain, &areas, Some("https://example.vn/a"));
    assert!(doc.contains("<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">"));
    assert!(doc.contains(&format!("<identifier>{}.2</identifier>", first.alert_id)));
    assert!(doc.contains("<msgType>Cancel</msgType>"));
    assert!(doc.contains(&format!(
        "<references>congdanso.danang.gov.vn,{}.1,2026-11-29T14:05:00+07:00</references>",
        first.alert_id
    )));
    assert!(doc.contains("<sent>2026-11-29T14:06:00+07:00</sent>"));
    assert!(doc.contains("<headline>Lũ &lt;khẩn cấp&gt; &amp; sạt lở</headline>"));
    assert!(
        doc.contains("<areaDesc>Phường Thạch Thang, Quận Hải Châu, Thành phố Đà Nẵng</areaDesc>")
    );
    assert!(doc.contains("<areaDesc>Xã Hòa Bắc, Huyện Hòa Vang, Thành phố Đà Nẵng</areaDesc>"));
    let order = [
        "<identifier>",
        "<sender>",
        "<sent>",
        "<status>",
        "<msgType>",
        "<scope>",
        "<references>",
        "<info>",
        "<category>",
        "<event>",
        "<urgency>",
        "<severity>",
        "<certainty>",
        "<effective>",
        "<expires>",
        "<headline>",
        "<description>",
        "<web>",
        "<area>",
    ];
    let at: Vec<usize> = order.iter().map(|t| doc.find(t).unwrap()).collect();
    let mut sorted = at.clone();
    sorted.sort();
    assert_eq!(at, sorted, "the schema's order:\n{doc}");
    let first_doc = cap_document(&chain[0], &chain, &areas, None);
    assert!(!first_doc.contains("<references>"));
    assert!(!first_doc.contains("<web>"));
}

#[test]
fn the_index_links_each_active_alert_to_its_document() {
    let w = World::new();
    let by = publisher(&w);
    let m = publish_as(&w, &by, &flood(&["hai-chau"]));
    let doc = index_document(std::slice::from_ref(&m), "https://cds.example");
    assert!(doc.contains(&format!(
        "<link>https://cds.example/api/v1/alerts/{}.cap.xml</link>",
        m.alert_id
    )));
    assert!(doc.contains(&format!("<guid isPermaLink=\"false\">{}</guid>", m.id)));
}
