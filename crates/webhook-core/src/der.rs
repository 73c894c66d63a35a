//! The one small DER reader the schemes share (RSA public keys, X.509 fields): definite
//! lengths up to 16 MiB, bounded and panic-free on any input.

/// One DER element: its tag, its contents and what follows it.
///
/// ```
/// use webhook_core::der::element;
/// assert_eq!(element(&[0x02, 0x01, 0x05, 0xff]), Some((0x02, &[0x05][..], &[0xff][..])));
/// assert_eq!(element(&[0x02, 0x05, 0x05]), None); // shorter than it claims
/// ```
#[must_use]
pub fn element(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let count = usize::from(first & 0x7f);
        if count == 0 || count > 3 {
            return None;
        }
        let bytes = rest.get(..count)?;
        (
            bytes
                .iter()
                .fold(0usize, |acc, &b| (acc << 8) | usize::from(b)),
            rest.get(count..)?,
        )
    };
    Some((tag, rest.get(..len)?, rest.get(len..)?))
}

/// [`element`] that must carry `tag`: its contents and what follows.
#[must_use]
pub fn expect(input: &[u8], tag: u8) -> Option<(&[u8], &[u8])> {
    let (found, contents, rest) = element(input)?;
    (found == tag).then_some((contents, rest))
}
