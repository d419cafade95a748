//! The rows of a seeded city, generated in the order the tables need them.
//! Each table's rows come from their own seeded stream, and a citizen's
//! fields are recomputed from its number wherever they are needed (a
//! document's owner, a booking's copied name and phone), so nothing the
//! size of the city is held in memory.

use std::time::Instant;

use anyhow::Result;
use sha2::{Digest, Sha256};

use crate::places::{self, CATEGORIES, COUNTERS, DEPARTMENTS, DISTRICTS, HOSPITALS};
use crate::rng::Rng;
use crate::sink::{Sink, Val};
use crate::{Plan, Report};
use cds_shared::audit::chain::{entry_hash, HashInput, GENESIS_HASH};
use cds_shared::local_time::{local_days, local_midnight};

const DAY: i64 = 86_400;
/// Seat times of one day at every counter: 07:30–11:30 and 13:30–17:30,
/// half an hour each (+07:00 seconds after local midnight).
const SLOT_STARTS: [i64; 16] = [
    27_000, 28_800, 30_600, 32_400, 34_200, 36_000, 37_800, 39_600, 48_600, 50_400, 52_200, 54_000,
    55_800, 57_600, 59_400, 61_200,
];
const SLOT_SECONDS: i64 = 1_800;
/// Seats per slot.
const CAPACITY: i64 = 16;
/// Days of slots: half a year back, half a year ahead.
const DAYS: i64 = 365;
/// Issuer ids well above what an app numbers itself.
const ISSUER_BASE: i64 = 900_001;

/// The streams, one per table.
mod stream {
    pub const CITIZEN: u64 = 1;
    pub const SESSION: u64 = 2;
    pub const DOCUMENT: u64 = 3;
    pub const FEEDBACK: u64 = 4;
    pub const SLOT: u64 = 5;
    pub const BOOKING: u64 = 6;
    pub const AUDIT: u64 = 7;
}

/// One citizen, as its number `n` makes it.
pub struct Citizen {
    pub id: String,
    pub phone: String,
    pub full_name: String,
    pub verified: bool,
    pub id_number: Option<String>,
    pub district: usize,
    pub created_at: i64,
}

/// The city being seeded: its size, seed and clock.
pub struct City {
    plan: Plan,
    /// Local midnight of the first day of slots; everything seeded happens
    /// in the year before `now`, bookings also in the half year after.
    first_day: i64,
    now: i64,
    services: Vec<(String, String)>,
}

impl City {
    pub fn new(plan: Plan, now: i64) -> City {
        let first_day = local_midnight(local_days(now) - DAYS / 2);
        let mut services = Vec::new();
        for (code, _, _) in DISTRICTS {
            for (i, counter) in COUNTERS.iter().enumerate() {
                services.push((
                    format!("city-{code}-{i}"),
                    format!("Trung tâm hành chính công — {counter}"),
                ));
            }
        }
        for (code, name) in HOSPITALS {
            for (i, dept) in DEPARTMENTS.iter().enumerate() {
                services.push((format!("city-{code}-{i}"), format!("{name} — {dept}")));
            }
        }
        City {
            plan,
            first_day,
            now,
            services,
        }
    }

    /// Citizen number `n` (0-based).
    pub fn citizen(&self, n: u64) -> Citizen {
        let mut r = Rng::new(self.plan.seed, stream::CITIZEN << 40 | n);
        let full_name = format!(
            "{} {} {}",
            r.pick(places::FAMILY),
            r.pick(places::MIDDLE),
            r.pick(places::GIVEN)
        );
        let verified = r.chance(35);
        Citizen {
            id: r.id("cit_"),
            // +84 91 and seven digits: a block the API-driven benchmarks
            // (+84 90…) and the demo never use.
            phone: format!("+8491{n:07}"),
            full_name,
            verified,
            id_number: verified.then(|| format!("048{:09}", n)),
            district: r.below(DISTRICTS.len() as u64) as usize,
            created_at: self.now - 2 * 365 * DAY + (r.below(365 * DAY as u64) as i64),
        }
    }

    /// Writes everything, table by table, and reports what it wrote.
    pub fn seed(&self, sink: &mut dyn Sink, report: &mut Report) -> Result<()> {
        self.reference(sink, report)?;
        self.citizens(sink, report)?;
        self.sessions(sink, report)?;
        self.documents(sink, report)?;
        self.feedback(sink, report)?;
        self.slots_and_bookings(sink, report)?;
        self.audit(sink, report)?;
        Ok(())
    }

    fn reference(&self, sink: &mut dyn Sink, report: &mut Report) -> Result<()> {
        let t = Instant::now();
        let mut rows = 0;
        sink.begin("units", &["code", "name", "created_at"])?;
        for (code, name, _) in DISTRICTS {
            sink.row(&[
                Val::Text(&format!("city-{code}")),
                Val::Text(&format!("UBND {name}")),
                Val::Int(self.now - 3 * 365 * DAY),
            ])?;
            rows += 1;
        }
        for (code, name) in HOSPITALS {
            sink.row(&[
                Val::Text(&format!("city-{code}")),
                Val::Text(name),
                Val::Int(self.now - 3 * 365 * DAY),
            ])?;
            rows += 1;
        }
        sink.end()?;
        sink.begin(
            "services",
            &["code", "name", "kind", "unit_code", "address", "created_at"],
        )?;
        for (code, name) in &self.services {
            let unit = &code[..code.rfind('-').unwrap_or(code.len())];
            let kind = if HOSPITALS.iter().any(|(h, _)| unit.ends_with(h)) {
                "health"
            } else {
                "public_service"
            };
            sink.row(&[
                Val::Text(code),
                Val::Text(name),
                Val::Text(kind),
                Val::Text(unit),
                Val::Text("Đà Nẵng"),
                Val::Int(self.now - 3 * 365 * DAY),
            ])?;
            rows += 1;
        }
        sink.end()?;
        sink.begin(
            "feedback_categories",
            &["code", "name", "unit_code", "created_at"],
        )?;
        for (d, (code, name, _)) in DISTRICTS.iter().enumerate() {
            for (i, category) in CATEGORIES.iter().enumerate() {
                sink.row(&[
                    Val::Text(&category_code(d, i)),
                    Val::Text(&format!("{category} ({name})")),
                    Val::Text(&format!("city-{code}")),
                    Val::Int(self.now - 3 * 365 * DAY),
                ])?;
                rows += 1;
            }
        }
        sink.end()?;
        sink.begin(
            "issuers",
            &["id", "code", "name", "key_hash", "key_prefix", "created_at"],
        )?;
        for (i, (code, name)) in [
            ("city-tu-phap", "Sở Tư pháp Đà Nẵng"),
            ("city-bhxh", "Bảo hiểm xã hội Đà Nẵng"),
            ("city-cong-an", "Công an thành phố Đà Nẵng"),
        ]
        .iter()
        .enumerate()
        {
            // The hash of no key anyone holds: the issuer exists for the
            // documents' display, not to be called as.
            let hash = cds_shared::hex::sha256_hex(
                format!("city-seed issuer {code} {}", self.plan.seed).as_bytes(),
            );
            sink.row(&[
                Val::Int(ISSUER_BASE + i as i64),
                Val::Text(code),
                Val::Text(name),
                Val::Text(&hash),
                Val::Text("seeded"),
                Val::Int(self.now - 3 * 365 * DAY),
            ])?;
            rows += 1;
        }
        sink.end()?;
        report.add("reference rows", rows, t);
        Ok(())
    }

    fn citizens(&self, sink: &mut dyn Sink, report: &mut Report) -> Result<()> {
        let t = Instant::now();
        sink.begin(
            "citizens",
            &[
                "id",
                "phone",
                "full_name",
                "level",
                "role",
                "date_of_birth",
                "gender",
                "id_number",
                "address",
                "created_at",
                "updated_at",
            ],
        )?;
        let mut r = Rng::new(self.plan.seed, stream::CITIZEN);
        for n in 0..self.plan.citizens {
            let c = self.citizen(n);
            let (_, district, wards) = DISTRICTS[c.district];
            let address = format!(
                "{} {}, {}, {district}, Đà Nẵng",
                1 + r.below(300),
                r.pick(places::STREETS),
                r.pick(wards)
            );
            let born = format!(
                "{}-{:02}-{:02}",
                1940 + r.below(66),
                1 + r.below(12),
                1 + r.below(28)
            );
            sink.row(&[
                Val::Text(&c.id),
                Val::Text(&c.phone),
                Val::Text(&c.full_name),
                Val::Text(if c.verified {
                    "verified"
                } else {
                    "provisional"
                }),
                Val::Text("citizen"),
                Val::Text(&born),
                Val::Text(if r.chance(50) { "female" } else { "male" }),
                c.id_number.as_deref().map_or(Val::Null, Val::Text),
                Val::Text(&address),
                Val::Int(c.created_at),
                Val::Int(c.created_at),
            ])?;
        }
        sink.end()?;
        report.add("citizens", self.plan.citizens, t);
        Ok(())
    }

    /// One web session per citizen from the last day, so token lookups
    /// search an index of the city's size. None has ended more than a day
    /// ago: a running city's housekeeping deletes those (docs/identity.md,
    /// "Housekeeping"), so a backlog of them would be a city whose purges
    /// never ran, which the first benchmarks then spent their time clearing.
    fn sessions(&self, sink: &mut dyn Sink, report: &mut Report) -> Result<()> {
        let t = Instant::now();
        sink.begin(
            "sessions",
            &[
                "id",
                "token_hash",
                "citizen_id",
                "client",
                "idle_seconds",
                "created_at",
                "last_seen_at",
                "idle_expires_at",
                "absolute_expires_at",
            ],
        )?;
        let mut r = Rng::new(self.plan.seed, stream::SESSION);
        for n in 0..self.plan.citizens {
            let c = self.citizen(n);
            let created = self.now - r.below(DAY as u64) as i64;
            let token_hash = Sha256::digest(r.bytes(32));
            sink.row(&[
                Val::Text(&r.id("ses_")),
                Val::Blob(&token_hash),
                Val::Text(&c.id),
                Val::Text("web"),
                Val::Int(1_800),
                Val::Int(created),
                Val::Int(created + 600),
                Val::Int(created + 2_400),
                Val::Int(created + DAY / 2),
            ])?;
        }
        sink.end()?;
        report.add("sessions", self.plan.citizens, t);
        Ok(())
    }

    fn documents(&self, sink: &mut dyn Sink, report: &mut Report) -> Result<()> {
        let t = Instant::now();
        sink.begin(
            "documents",
            &[
                "id",
                "citizen_id",
                "type",
                "title",
                "source",
                "issuer_id",
                "external_id",
                "issued_at",
                "valid_until",
                "content_type",
                "size",
                "sha256",
                "status",
                "created_at",
                "content",
            ],
        )?;
        let mut r = Rng::new(self.plan.seed, stream::DOCUMENT);
        let total = self.plan.documents();
        for i in 0..total {
            let c = self.citizen(i % self.plan.citizens);
            let kind = *r.pick(cds_shared::documents::kinds::DOC_TYPES);
            let issued = r.chance(70);
            let at = self.now - r.below(365 * DAY as u64) as i64;
            let content = format!("%PDF-1.4\n% {kind} {} {i}\n%%EOF\n", c.id).into_bytes();
            let sha = cds_shared::hex::sha256_hex(&content);
            let external = format!("SEED-{i:09}");
            sink.row(&[
                Val::Text(&r.id("doc_")),
                Val::Text(&c.id),
                Val::Text(kind),
                Val::Text(&format!("{} — {}", kind.replace('_', " "), c.full_name)),
                Val::Text(if issued { "issued" } else { "uploaded" }),
                if issued {
                    Val::Int(ISSUER_BASE + (i % 3) as i64)
                } else {
                    Val::Null
                },
                if issued {
                    Val::Text(&external)
                } else {
                    Val::Null
                },
                Val::Int(at),
                if issued {
                    Val::Int(at + 5 * 365 * DAY)
                } else {
                    Val::Null
                },
                Val::Text("application/pdf"),
                Val::Int(content.len() as i64),
                Val::Text(&sha),
                Val::Text("valid"),
                Val::Int(at),
                Val::Blob(&content),
            ])?;
        }
        sink.end()?;
        report.add("documents", total, t);
        Ok(())
    }

    fn feedback(&self, sink: &mut dyn Sink, report: &mut Report) -> Result<()> {
        let t = Instant::now();
        sink.begin(
            "feedback",
            &[
                "id",
                "tracking_code",
                "year",
                "seq",
                "category_code",
                "unit_code",
                "title",
                "content",
                "lat",
                "lng",
                "address",
                "owner_id",
                "anonymous",
                "source",
                "quota_key",
                "status",
                "response",
                "published",
                "created_at",
                "updated_at",
            ],
        )?;
        let mut r = Rng::new(self.plan.seed, stream::FEEDBACK);
        let total = self.plan.feedback();
        let start = self.now - 365 * DAY;
        let (mut year, mut seq) = (0, 0);
        for i in 0..total {
            // In time order, so each year's numbers run from 1 upwards.
            let at = start + (i as i64 * 365 * DAY) / total.max(1) as i64;
            let y = cds_shared::civil::civil_from_days(local_days(at)).0;
            if y != year {
                (year, seq) = (y, 0);
            }
            seq += 1;
            let c = self.citizen(r.below(self.plan.citizens));
            let category = r.below(CATEGORIES.len() as u64) as usize;
            let (code, _, wards) = DISTRICTS[c.district];
            let title = *r.pick(places::REPORTS);
            let status = *r.pick(&[
                "received",
                "in_progress",
                "resolved",
                "resolved",
                "rejected",
            ]);
            let response = matches!(status, "resolved" | "rejected")
                .then_some("Đơn vị đã tiếp nhận và xử lý.");
            sink.row(&[
                Val::Text(&r.id("fb_")),
                Val::Text(&cds_shared::feedback::tracking::format(year, seq)),
                Val::Int(year),
                Val::Int(seq),
                Val::Text(&category_code(c.district, category)),
                Val::Text(&format!("city-{code}")),
                Val::Text(title),
                Val::Text(&format!(
                    "{title} tại đường {}, {}.",
                    r.pick(places::STREETS),
                    r.pick(wards)
                )),
                Val::Real(15.95 + r.below(20_000) as f64 / 100_000.0),
                Val::Real(108.10 + r.below(20_000) as f64 / 100_000.0),
                Val::Text(&format!("{}, Đà Nẵng", r.pick(wards))),
                Val::Text(&c.id),
                Val::Int(0),
                Val::Text("citizen"),
                Val::Text(&format!("citizen:{}", c.id)),
                Val::Text(status),
                response.map_or(Val::Null, Val::Text),
                Val::Int(1),
                Val::Int(at),
                Val::Int(at + if status == "received" { 0 } else { 3 * DAY }),
            ])?;
        }
        sink.end()?;
        report.add("feedback", total, t);
        Ok(())
    }

    /// The slot a booking takes and whether it is in the past: booking `k`
    /// of citizen `c` is at service `(c + k) % services`, so one citizen's
    /// bookings are at different services and the one-active-booking-per-
    /// day rule cannot be broken; `taken` keeps every slot within capacity.
    fn place(&self, r: &mut Rng, c: u64, k: u64, taken: &mut [i64]) -> usize {
        let services = self.services.len() as u64;
        let service = ((c + k) % services) as usize;
        let per_service = (DAYS as usize) * SLOT_STARTS.len();
        let mut slot = r.below(per_service as u64) as usize;
        while taken[service * per_service + slot] >= CAPACITY {
            slot = (slot + 1) % per_service;
        }
        taken[service * per_service + slot] += 1;
        service * per_service + slot
    }

    fn slot_time(&self, slot: usize) -> (i64, String) {
        let per_day = SLOT_STARTS.len();
        let day = ((slot % (DAYS as usize * per_day)) / per_day) as i64;
        let start = self.first_day + day * DAY + SLOT_STARTS[slot % per_day];
        let (y, m, d) = cds_shared::civil::civil_from_days(local_days(start));
        (start, format!("{y:04}-{m:02}-{d:02}"))
    }

    fn slots_and_bookings(&self, sink: &mut dyn Sink, report: &mut Report) -> Result<()> {
        let t = Instant::now();
        let per_service = DAYS as usize * SLOT_STARTS.len();
        let slots = self.services.len() * per_service;
        let total = self.plan.bookings();
        // First pass: where every booking goes, to know the seats past
        // bookings hold (the seat triggers move seats only for active ones).
        let mut taken = vec![0i64; slots];
        let mut held_by_past = vec![0i64; slots];
        let mut r = Rng::new(self.plan.seed, stream::BOOKING);
        let mut placements = Vec::with_capacity(total as usize);
        for b in 0..total {
            let (c, k) = (b % self.plan.citizens, b / self.plan.citizens);
            let slot = self.place(&mut r, c, k, &mut taken);
            let (start, _) = self.slot_time(slot);
            let status = booking_status(&mut r, start < self.now);
            if status != "booked" && status != "cancelled" {
                held_by_past[slot] += 1;
            }
            placements.push((slot as u32, status));
        }
        let mut ids = Rng::new(self.plan.seed, stream::SLOT);
        let slot_ids: Vec<String> = (0..slots).map(|_| ids.hex_id("slt_")).collect();
        sink.begin(
            "appointment_slots",
            &[
                "id",
                "service_code",
                "starts_at",
                "ends_at",
                "local_date",
                "capacity",
                "remaining",
                "created_by",
                "created_at",
            ],
        )?;
        for (slot, id) in slot_ids.iter().enumerate() {
            let (start, date) = self.slot_time(slot);
            sink.row(&[
                Val::Text(id),
                Val::Text(&self.services[slot / per_service].0),
                Val::Int(start),
                Val::Int(start + SLOT_SECONDS),
                Val::Text(&date),
                Val::Int(CAPACITY),
                Val::Int(CAPACITY - held_by_past[slot]),
                Val::Null,
                Val::Int(self.first_day - DAY),
            ])?;
        }
        sink.end()?;
        report.add("appointment slots", slots as u64, t);

        let t = Instant::now();
        sink.begin(
            "appointments",
            &[
                "id",
                "citizen_id",
                "service_code",
                "slot_id",
                "local_date",
                "status",
                "ticket_code",
                "full_name",
                "phone",
                "id_number",
                "created_at",
                "updated_at",
                "closed_at",
            ],
        )?;
        let mut r = Rng::new(self.plan.seed, stream::BOOKING << 8);
        for (b, (slot, status)) in placements.into_iter().enumerate() {
            let slot = slot as usize;
            let c = self.citizen(b as u64 % self.plan.citizens);
            let (start, date) = self.slot_time(slot);
            let booked_at = start - DAY - r.below(14 * DAY as u64) as i64;
            let closed = matches!(status, "fulfilled" | "noshow" | "cancelled")
                .then_some(start.min(self.now));
            sink.row(&[
                Val::Text(&r.hex_id("apt_")),
                Val::Text(&c.id),
                Val::Text(&self.services[slot / per_service].0),
                Val::Text(&slot_ids[slot]),
                Val::Text(&date),
                Val::Text(status),
                Val::Text(&ticket_code(b as u64)),
                Val::Text(&c.full_name),
                Val::Text(&c.phone),
                c.id_number.as_deref().map_or(Val::Null, Val::Text),
                Val::Int(booked_at),
                Val::Int(closed.unwrap_or(booked_at)),
                closed.map_or(Val::Null, Val::Int),
            ])?;
        }
        sink.end()?;
        report.add("bookings", total, t);
        Ok(())
    }

    /// The audit log, in time order, chained onto whatever the database
    /// already holds (the app may have written its first entries).
    ///
    /// The chain is computed on a thread of its own while this one inserts:
    /// each hash needs the previous one, so hashing is one sequence that
    /// cannot be split, but it can run beside the inserts, which are the
    /// other half of the work. Batches go through a small bounded channel,
    /// so memory stays flat however long the log is.
    fn audit(&self, sink: &mut dyn Sink, report: &mut Report) -> Result<()> {
        let t = Instant::now();
        let tail = sink
            .query_pair("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")?
            .unwrap_or((0, GENESIS_HASH.to_string()));
        let total = self.plan.audit();
        sink.begin(
            "audit_log",
            &[
                "seq",
                "at",
                "actor",
                "action",
                "subject",
                "detail",
                "prev_hash",
                "hash",
            ],
        )?;
        std::thread::scope(|scope| -> Result<()> {
            let (batches, received) = std::sync::mpsc::sync_channel::<Vec<AuditRow>>(4);
            scope.spawn(move || self.audit_chain(tail, total, &batches));
            // Ends when the chain is complete (the sender is dropped); an
            // insert error drops the receiver, which stops the chain.
            for batch in received {
                for row in &batch {
                    sink.row(&[
                        Val::Int(row.seq),
                        Val::Int(row.at),
                        Val::Text(&row.actor),
                        Val::Text(row.action),
                        Val::Text(&row.subject),
                        Val::Text(row.detail),
                        Val::Text(&row.prev_hash),
                        Val::Text(&row.hash),
                    ])?;
                }
            }
            Ok(())
        })?;
        sink.end()?;
        report.add("audit entries", total, t);
        Ok(())
    }

    /// The `total` entries after `tail`, hashed in order, sent in batches.
    fn audit_chain(
        &self,
        (mut seq, mut prev): (i64, String),
        total: u64,
        batches: &std::sync::mpsc::SyncSender<Vec<AuditRow>>,
    ) {
        const BATCH: usize = 8192;
        let start = self.now - 365 * DAY;
        let mut r = Rng::new(self.plan.seed, stream::AUDIT);
        let mut batch = Vec::with_capacity(BATCH);
        for i in 0..total {
            seq += 1;
            let at = start + (i as i64 * 365 * DAY) / total.max(1) as i64;
            let c = self.citizen(r.below(self.plan.citizens));
            let actor = format!("citizen:{}", c.id);
            let (action, detail) = match r.below(10) {
                0..=4 => ("login", r#"{"client":"web","level":"provisional"}"#),
                5 | 6 => ("document_accessed", r#"{"via":"owner"}"#),
                7 => ("share_created", r#"{"max_uses":3}"#),
                8 => ("qr_verified", r#"{"result":"valid"}"#),
                _ => ("profile_updated", r#"{"fields":["address"]}"#),
            };
            let hash = entry_hash(&HashInput {
                prev_hash: &prev,
                seq,
                at,
                actor: &actor,
                action,
                subject: Some(&c.id),
                detail,
            });
            batch.push(AuditRow {
                seq,
                at,
                actor,
                action,
                subject: c.id,
                detail,
                prev_hash: std::mem::replace(&mut prev, hash.clone()),
                hash,
            });
            if batch.len() == BATCH
                && batches
                    .send(std::mem::replace(&mut batch, Vec::with_capacity(BATCH)))
                    .is_err()
            {
                return;
            }
        }
        if !batch.is_empty() {
            let _ = batches.send(batch);
        }
    }
}

/// One audit entry, hashed, waiting for its insert.
struct AuditRow {
    seq: i64,
    at: i64,
    actor: String,
    action: &'static str,
    subject: String,
    detail: &'static str,
    prev_hash: String,
    hash: String,
}

fn category_code(district: usize, category: usize) -> String {
    format!("city-{}-{category}", DISTRICTS[district].0)
}

/// What became of a booking: past ones were mostly attended.
fn booking_status(r: &mut Rng, past: bool) -> &'static str {
    match (past, r.below(20)) {
        (true, 0..=14) => "fulfilled",
        (true, 15 | 16) => "noshow",
        (true, _) => "cancelled",
        (false, 0..=17) => "booked",
        (false, _) => "cancelled",
    }
}

/// A distinct ticket code per booking number: `b` scrambled by a bijection
/// of 0..30⁸ (multiplying by a number prime to 30), written in the ticket
/// alphabet — unique without a set of 3,000,000 codes in memory.
fn ticket_code(b: u64) -> String {
    const SPACE: u64 = 656_100_000_000; // 30^8
    let alphabet = cds_shared::appointments::ticket::ALPHABET;
    let mut x = (b.wrapping_mul(7_919 * 7_907) + 12_345) % SPACE;
    let mut out = [0u8; 8];
    for slot in out.iter_mut().rev() {
        *slot = alphabet[(x % 30) as usize];
        x /= 30;
    }
    String::from_utf8_lossy(&out).into_owned()
}
