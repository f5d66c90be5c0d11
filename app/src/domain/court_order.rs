//! A legal guardian's court order (P7), sent with an online request: a PDF, JPEG or PNG of at
//! most [`MAX_BYTES`]. What a file is comes from its first bytes, never from its name or from
//! the type the browser claims: a renamed program is refused as "not a PDF, JPEG or PNG".

/// The largest court order accepted: 10 MB.
pub const MAX_BYTES: usize = 10 * 1024 * 1024;

/// The kinds of file a court order may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderFile {
    Pdf,
    Jpeg,
    Png,
}

impl OrderFile {
    /// The kind of file these bytes begin as, if it is one we accept.
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        const PDF: &[u8] = b"%PDF-";
        const JPEG: &[u8] = &[0xFF, 0xD8, 0xFF];
        const PNG: &[u8] = &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
        if bytes.starts_with(PDF) {
            Some(Self::Pdf)
        } else if bytes.starts_with(PNG) {
            Some(Self::Png)
        } else if bytes.starts_with(JPEG) {
            Some(Self::Jpeg)
        } else {
            None
        }
    }

    /// The media type it is stored and sent back with.
    pub fn media_type(self) -> &'static str {
        match self {
            Self::Pdf => "application/pdf",
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
        }
    }

    /// The kind stored in the database (its media type) read back.
    pub fn from_media_type(text: &str) -> Option<Self> {
        [Self::Pdf, Self::Jpeg, Self::Png]
            .into_iter()
            .find(|kind| kind.media_type() == text)
    }

    /// The file name's extension, for the download.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Pdf => "pdf",
            Self::Jpeg => "jpg",
            Self::Png => "png",
        }
    }

    /// What staff read beside the download link.
    pub fn label(self) -> &'static str {
        match self {
            Self::Pdf => "PDF",
            Self::Jpeg => "JPEG image",
            Self::Png => "PNG image",
        }
    }
}

/// A file's size as people read it ("2.4 MB", "180 KB").
pub fn readable_size(bytes: u64) -> String {
    const KB: u64 = 1024;
    const MB: u64 = 1024 * 1024;
    if bytes >= MB {
        format!("{:.1} MB", bytes as f64 / MB as f64)
    } else {
        format!("{} KB", bytes.div_ceil(KB).max(1))
    }
}

/// Why a court order was refused, in words for the person sending it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrderProblem {
    #[error("Choose the file with the court order: a PDF, JPEG or PNG of 10 MB at most.")]
    Missing,
    #[error("The court order must be a PDF, JPEG or PNG of 10 MB at most. This file is larger.")]
    TooLarge,
    #[error(
        "The court order must be a PDF, JPEG or PNG. This file is not one of them, whatever its \
         name says: scan or save it as a PDF and try again."
    )]
    NotAcceptedType,
}

/// Checks a whole file: present, not too large, and a PDF, JPEG or PNG by its bytes.
pub fn check(bytes: &[u8]) -> Result<OrderFile, OrderProblem> {
    if bytes.is_empty() {
        return Err(OrderProblem::Missing);
    }
    if bytes.len() > MAX_BYTES {
        return Err(OrderProblem::TooLarge);
    }
    OrderFile::sniff(bytes).ok_or(OrderProblem::NotAcceptedType)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn p7_the_type_comes_from_the_bytes_not_the_name() {
        assert_eq!(check(b"%PDF-1.7\n..."), Ok(OrderFile::Pdf));
        assert_eq!(
            check(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]),
            Ok(OrderFile::Jpeg)
        );
        assert_eq!(
            check(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0]),
            Ok(OrderFile::Png)
        );
        // A program, a zip, an HTML page or a "PDF" that only says so further in: refused.
        for refused in [
            &b"MZ\x90\x00"[..],
            b"PK\x03\x04",
            b"<html><script>",
            b" %PDF-1.7",
            b"%PDF",
            &[0x89, b'P', b'N', b'G'],
            &[0xFF, 0xD8],
        ] {
            assert_eq!(
                check(refused),
                Err(OrderProblem::NotAcceptedType),
                "{refused:?}"
            );
        }
    }

    #[test]
    fn p7_an_empty_file_is_missing_and_the_limit_is_10_mb_inclusive() {
        assert_eq!(check(b""), Err(OrderProblem::Missing));
        let mut at_limit = b"%PDF-".to_vec();
        at_limit.resize(MAX_BYTES, b' ');
        assert_eq!(check(&at_limit), Ok(OrderFile::Pdf));
        at_limit.push(b' ');
        assert_eq!(check(&at_limit), Err(OrderProblem::TooLarge));
    }

    #[test]
    fn media_types_read_back_and_sizes_read_plainly() {
        for kind in [OrderFile::Pdf, OrderFile::Jpeg, OrderFile::Png] {
            assert_eq!(OrderFile::from_media_type(kind.media_type()), Some(kind));
        }
        assert_eq!(OrderFile::from_media_type("text/html"), None);
        assert_eq!(readable_size(1), "1 KB");
        assert_eq!(readable_size(180 * 1024), "180 KB");
        assert_eq!(readable_size(2_516_582), "2.4 MB");
        assert_eq!(readable_size(MAX_BYTES as u64), "10.0 MB");
    }
}
