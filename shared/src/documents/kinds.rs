//! The closed vocabularies of the vault: document types, the file formats
//! accepted (checked by their magic bytes, not only by the declared type),
//! where a document came from, and whether it still holds.

/// Largest document, in bytes (docs/api.md: 5 MiB).
pub const MAX_DOCUMENT_BYTES: usize = 5 * 1024 * 1024;

/// Media types a document may have, for 415 answers.
pub const ACCEPTED_MEDIA_TYPES: &[&str] = &["application/pdf", "image/jpeg", "image/png"];

/// Document types (docs/documents.md; the list is open-ended there, closed here so
/// that filters and prefill can rely on the spelling).
pub const DOC_TYPES: &[&str] = &[
    "birth_certificate",
    "household_registration",
    "health_insurance",
    "procedure_result",
    "identity_card",
    "driving_license",
    "vehicle_registration",
    "marriage_certificate",
    "education_certificate",
    "medical_record",
    "other",
];

/// A known document type, as spelled on the wire, or `None`.
pub fn doc_type(s: &str) -> Option<&'static str> {
    DOC_TYPES.iter().copied().find(|t| *t == s)
}

/// A file format the vault stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContentType {
    /// `application/pdf`.
    Pdf,
    /// `image/jpeg`.
    Jpeg,
    /// `image/png`.
    Png,
}

impl ContentType {
    /// The canonical media type.
    pub fn as_mime(self) -> &'static str {
        match self {
            ContentType::Pdf => "application/pdf",
            ContentType::Jpeg => "image/jpeg",
            ContentType::Png => "image/png",
        }
    }

    /// Reads a `Content-Type` value (case and parameters ignored; `image/jpg`
    /// is accepted because phones send it).
    pub fn from_header(value: &str) -> Option<ContentType> {
        let media = value
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        match media.as_str() {
            "application/pdf" => Some(ContentType::Pdf),
            "image/jpeg" | "image/jpg" => Some(ContentType::Jpeg),
            "image/png" => Some(ContentType::Png),
            _ => None,
        }
    }

    /// Whether `bytes` start like this format. Checked so that a file
    /// labelled PDF is one: relying parties open what we serve.
    pub fn matches(self, bytes: &[u8]) -> bool {
        match self {
            ContentType::Pdf => bytes.starts_with(b"%PDF-"),
            ContentType::Jpeg => bytes.starts_with(&[0xFF, 0xD8, 0xFF]),
            ContentType::Png => {
                bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A])
            }
        }
    }

    /// A file-name extension for `Content-Disposition`.
    pub fn extension(self) -> &'static str {
        match self {
            ContentType::Pdf => "pdf",
            ContentType::Jpeg => "jpg",
            ContentType::Png => "png",
        }
    }
}

/// Checks a document's bytes against its declared type and the size limit:
/// unknown type → 415, over 5 MiB → 413, empty or not what it claims → 422.
pub fn check_content(
    field: &'static str,
    declared: &str,
    bytes: &[u8],
) -> Result<ContentType, super::DocError> {
    use super::DocError;
    let ct = ContentType::from_header(declared).ok_or(DocError::UnsupportedType)?;
    if bytes.len() > MAX_DOCUMENT_BYTES {
        return Err(DocError::TooLarge {
            limit: MAX_DOCUMENT_BYTES,
        });
    }
    if bytes.is_empty() {
        return Err(DocError::invalid(field, "required"));
    }
    if !ct.matches(bytes) {
        return Err(DocError::invalid(field, "content_does_not_match_type"));
    }
    Ok(ct)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::documents::DocError;

    #[test]
    fn declared_types_are_read_leniently() {
        assert_eq!(
            ContentType::from_header("Application/PDF; charset=binary"),
            Some(ContentType::Pdf)
        );
        assert_eq!(
            ContentType::from_header("image/jpg"),
            Some(ContentType::Jpeg)
        );
        assert_eq!(ContentType::from_header("image/gif"), None);
        assert_eq!(ContentType::from_header(""), None);
    }

    #[test]
    fn content_must_be_what_it_claims() {
        let jpeg: &[u8] = &[0xFF, 0xD8, 0xFF, 0xE0];
        let cases: [(&str, &[u8], Result<ContentType, DocError>); 5] = [
            ("application/pdf", b"%PDF-1.4\n", Ok(ContentType::Pdf)),
            (
                "image/png",
                b"%PDF-1.4\n",
                Err(DocError::invalid("body", "content_does_not_match_type")),
            ),
            ("image/jpeg", jpeg, Ok(ContentType::Jpeg)),
            ("text/plain", b"hi", Err(DocError::UnsupportedType)),
            (
                "application/pdf",
                b"",
                Err(DocError::invalid("body", "required")),
            ),
        ];
        for (declared, bytes, expected) in cases {
            assert_eq!(
                check_content("body", declared, bytes),
                expected,
                "{declared}"
            );
        }
    }

    #[test]
    fn the_limit_is_five_mebibytes_inclusive() {
        let mut at = vec![0u8; MAX_DOCUMENT_BYTES];
        at[..5].copy_from_slice(b"%PDF-");
        assert!(check_content("body", "application/pdf", &at).is_ok());
        at.push(0);
        assert_eq!(
            check_content("body", "application/pdf", &at),
            Err(DocError::TooLarge {
                limit: MAX_DOCUMENT_BYTES
            })
        );
    }
}
