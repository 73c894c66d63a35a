//! Strict JSON for signed documents: duplicate object keys are an error at any depth, because
//! two parsers that disagree on which duplicate wins let an attacker show the verifier one value
//! and the application another.
//!
//! When a scheme needs only a few top-level members of a large signed body (an event id for
//! de-duplication), [`parse_members`] reads them into a `#[derive(Deserialize)]` struct without
//! building a tree: the members it reads are refused when repeated (serde errors on duplicate
//! fields), the rest is checked for syntax and skipped.

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

/// Nesting deeper than this is refused (bounded recursion on hostile input).
const MAX_DEPTH: usize = 64;

/// Parses JSON, refusing duplicate keys in any object and nesting deeper than 64 levels.
///
/// # Errors
/// The document is not JSON, repeats a key, or nests too deeply.
///
/// ```
/// use webhook_core::json::parse_strict;
/// assert!(parse_strict(br#"{"a":1,"b":{"c":2}}"#).is_ok());
/// assert!(parse_strict(br#"{"a":1,"a":2}"#).is_err());
/// assert!(parse_strict(br#"{"x":{"a":1,"a":2}}"#).is_err());
/// ```
pub fn parse_strict(bytes: &[u8]) -> Result<Value, serde_json::Error> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = StrictValue::deserialize(&mut deserializer)?.0;
    deserializer.end()?;
    Ok(value)
}

/// Like [`parse_strict`], but the document must be an object.
///
/// # Errors
/// As [`parse_strict`], or the document is not an object.
pub fn parse_strict_object(bytes: &[u8]) -> Result<Map<String, Value>, serde_json::Error> {
    match parse_strict(bytes)? {
        Value::Object(map) => Ok(map),
        _ => Err(de::Error::custom("expected a JSON object")),
    }
}

/// Any strict JSON value, checked and dropped.
struct StrictAny;

impl<'de> Deserialize<'de> for StrictAny {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(Self)
    }
}

impl<'de> Visitor<'de> for StrictAny {
    type Value = Self;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value without duplicate keys")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Self, E> {
        Ok(self)
    }

    fn visit_i64<E>(self, _: i64) -> Result<Self, E> {
        Ok(self)
    }

    fn visit_u64<E>(self, _: u64) -> Result<Self, E> {
        Ok(self)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Self, E> {
        Ok(self)
    }

    fn visit_str<E>(self, _: &str) -> Result<Self, E> {
        Ok(self)
    }

    fn visit_unit<E>(self) -> Result<Self, E> {
        Ok(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self, A::Error> {
        let _guard = DepthGuard::enter()?;
        while seq.next_element::<Self>()?.is_some() {}
        Ok(self)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self, A::Error> {
        let _guard = DepthGuard::enter()?;
        let mut keys = DistinctKeys::default();
        while let Some(Key(key)) = map.next_key()? {
            keys.insert(key)?;
            map.next_value::<Self>()?;
        }
        Ok(self)
    }
}

/// The keys of one object so far, to refuse a repeat: a short list, a hash set past it.
#[derive(Default)]
struct DistinctKeys<'de> {
    few: Vec<Cow<'de, str>>,
    many: Option<HashSet<Cow<'de, str>>>,
}

impl<'de> DistinctKeys<'de> {
    /// Past this many keys a hash set replaces the linear scan.
    const FEW: usize = 16;

    fn insert<E: de::Error>(&mut self, key: Cow<'de, str>) -> Result<(), E> {
        let repeated = match &mut self.many {
            Some(seen) => !seen.insert(key),
            None if self.few.contains(&key) => true,
            None => {
                if self.few.is_empty() {
                    self.few.reserve_exact(Self::FEW + 1);
                }
                self.few.push(key);
                if self.few.len() > Self::FEW {
                    self.many = Some(self.few.drain(..).collect());
                }
                false
            }
        };
        if repeated {
            return Err(E::custom("duplicate key in JSON object"));
        }
        Ok(())
    }
}

/// Reads the top-level members `names` of a JSON object as [`Value`]s (a member given as
/// `null` is `Some(Value::Null)`, never mistaken for an absent one) while checking the whole
/// document as [`parse_strict`] does, in one pass and without building the rest: for signed
/// documents a scheme reads a few members of, that must still be unambiguous as a whole.
///
/// # Errors
/// As [`parse_strict`], or the document is not an object.
///
/// ```
/// use serde_json::Value;
/// use webhook_core::json::parse_strict_members;
/// let [iss, nbf, exp] = parse_strict_members(br#"{"iss":"me","nbf":null,"x":{"y":[1]}}"#, ["iss", "nbf", "exp"])?;
/// assert_eq!(iss.as_ref().and_then(Value::as_str), Some("me"));
/// assert_eq!(nbf, Some(Value::Null));
/// assert_eq!(exp, None);
/// assert!(parse_strict_members(br#"{"iss":"me","x":{"y":1,"y":2}}"#, ["iss"]).is_err());
/// assert!(parse_strict_members(br#"["iss"]"#, ["iss"]).is_err());
/// # Ok::<(), serde_json::Error>(())
/// ```
pub fn parse_strict_members<const N: usize>(
    bytes: &[u8],
    names: [&str; N],
) -> Result<[Option<Value>; N], serde_json::Error> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let found = deserializer.deserialize_map(StrictMembers { names })?;
    deserializer.end()?;
    Ok(found)
}

struct StrictMembers<'n, const N: usize> {
    names: [&'n str; N],
}

impl<'de, const N: usize> Visitor<'de> for StrictMembers<'_, N> {
    type Value = [Option<Value>; N];

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object without duplicate keys")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let _guard = DepthGuard::enter()?;
        let mut found: [Option<Value>; N] = std::array::from_fn(|_| None);
        let mut keys = DistinctKeys::default();
        while let Some(Key(key)) = map.next_key()? {
            let wanted = self.names.iter().position(|name| *name == key);
            keys.insert(key)?;
            match wanted.and_then(|index| found.get_mut(index)) {
                Some(slot) => *slot = Some(map.next_value::<StrictValue>()?.0),
                None => {
                    map.next_value::<StrictAny>()?;
                }
            }
        }
        Ok(found)
    }
}

/// An object key, borrowed from the input unless it had escapes.
struct Key<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer
            .deserialize_str(ScalarVisitor(std::marker::PhantomData))
            .and_then(|scalar| match scalar {
                Scalar::Str(key) => Ok(Key(key)),
                _ => Err(de::Error::custom("object key is not a string")),
            })
    }
}

struct StrictValue(Value);

thread_local! {
    static DEPTH: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

struct DepthGuard;

impl DepthGuard {
    fn enter<E: de::Error>() -> Result<Self, E> {
        DEPTH.with(|depth| {
            if depth.get() >= MAX_DEPTH {
                return Err(E::custom("JSON nested too deeply"));
            }
            depth.set(depth.get() + 1);
            Ok(Self)
        })
    }
}

impl Drop for DepthGuard {
    fn drop(&mut self) {
        DEPTH.with(|depth| depth.set(depth.get().saturating_sub(1)));
    }
}

impl<'de> Deserialize<'de> for StrictValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(StrictVisitor).map(StrictValue)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value without duplicate keys")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let _guard = DepthGuard::enter()?;
        let mut items = Vec::new();
        while let Some(StrictValue(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let _guard = DepthGuard::enter()?;
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.contains_key(&key) {
                return Err(de::Error::custom("duplicate key in JSON object"));
            }
            let StrictValue(value) = map.next_value()?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

/// Reads the members `T` names from a JSON *object* (anything else is an error), skipping the
/// others without allocating. Pair it with [`Scalar`] for members whose type is not trusted.
///
/// # Errors
/// Not an object, invalid JSON, trailing bytes, a member of `T` given twice, or nesting deeper
/// than serde_json's recursion limit.
///
/// ```
/// use serde::Deserialize;
/// use webhook_core::json::{Scalar, parse_members};
/// #[derive(Deserialize)]
/// struct Envelope<'a> {
///     #[serde(borrow)]
///     id: Option<Scalar<'a>>,
/// }
/// let envelope: Envelope<'_> = parse_members(br#"{"data":{"big":[1,2,3]},"id":"ev_1"}"#)?;
/// assert_eq!(envelope.id.and_then(|id| id.to_text()).as_deref(), Some("ev_1"));
/// assert!(parse_members::<Envelope<'_>>(br#"{"id":"a","id":"b"}"#).is_err());
/// assert!(parse_members::<Envelope<'_>>(br#"["ev_1"]"#).is_err());
/// # Ok::<(), serde_json::Error>(())
/// ```
pub fn parse_members<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> Result<T, serde_json::Error> {
    // serde_json would also fill a struct from an array, positionally.
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(de::Error::custom("expected a JSON object"));
    }
    serde_json::from_slice(bytes)
}

/// Finds the top-level members `names` of a JSON object by scanning from its start and stops
/// as soon as all were seen, so an id at the front of a megabyte event costs nanoseconds. The
/// members before the last one found are checked for syntax (and a repeat of a wanted member
/// is an error); **what follows is not read**. Use it only on bodies already authenticated,
/// where the sender's serializer, not an attacker, wrote the JSON; hand the application the
/// exact bytes.
///
/// # Errors
/// Not an object, or invalid JSON or a repeated wanted member in the part scanned.
///
/// ```
/// use webhook_core::json::find_members;
/// let [id, kind] = find_members(br#"{"id":"ev_1","type":"task","data":"(megabytes)"}"#, ["id", "type"])?;
/// assert_eq!(id.and_then(|id| id.to_text()).as_deref(), Some("ev_1"));
/// assert_eq!(kind.as_ref().and_then(|kind| kind.as_str()), Some("task"));
/// assert!(find_members(br#"{"id":1,"id":2}"#, ["id", "type"]).is_err());
/// # Ok::<(), serde_json::Error>(())
/// ```
pub fn find_members<'a, const N: usize>(
    bytes: &'a [u8],
    names: [&str; N],
) -> Result<[Option<Scalar<'a>>; N], serde_json::Error> {
    let syntax =
        |what: &str| -> serde_json::Error { de::Error::custom(format!("expected {what}")) };
    let skip_ws = |mut at: usize| {
        while bytes.get(at).is_some_and(u8::is_ascii_whitespace) {
            at += 1;
        }
        at
    };
    let mut found: [Option<Scalar<'a>>; N] = std::array::from_fn(|_| None);
    let mut missing = N;
    let mut at = skip_ws(0);
    if bytes.get(at) != Some(&b'{') {
        return Err(syntax("a JSON object"));
    }
    at = skip_ws(at + 1);
    if bytes.get(at) == Some(&b'}') {
        return Ok(found);
    }
    loop {
        let rest = bytes.get(at..).unwrap_or_default();
        let mut stream = serde_json::Deserializer::from_slice(rest).into_iter::<Scalar<'a>>();
        let key = match stream.next() {
            Some(Ok(Scalar::Str(key))) => key,
            Some(Err(error)) => return Err(error),
            _ => return Err(syntax("a member name")),
        };
        at = skip_ws(at + stream.byte_offset());
        if bytes.get(at) != Some(&b':') {
            return Err(syntax("`:`"));
        }
        at = skip_ws(at + 1);
        let rest = bytes.get(at..).unwrap_or_default();
        match names.iter().position(|name| *name == key) {
            Some(index) => {
                let mut stream =
                    serde_json::Deserializer::from_slice(rest).into_iter::<Scalar<'a>>();
                let value = stream.next().ok_or_else(|| syntax("a value"))??;
                at += stream.byte_offset();
                let slot = found.get_mut(index).ok_or_else(|| syntax("a member"))?;
                if slot.replace(value).is_some() {
                    return Err(de::Error::custom(format!("duplicate member `{key}`")));
                }
                missing -= 1;
                if missing == 0 {
                    return Ok(found);
                }
            }
            None => {
                let mut stream =
                    serde_json::Deserializer::from_slice(rest).into_iter::<de::IgnoredAny>();
                stream.next().ok_or_else(|| syntax("a value"))??;
                at += stream.byte_offset();
            }
        }
        at = skip_ws(at);
        match bytes.get(at) {
            Some(b',') => at = skip_ws(at + 1),
            Some(b'}') if skip_ws(at + 1) == bytes.len() => return Ok(found),
            _ => return Err(syntax("`,` or the end of the object")),
        }
    }
}

/// A member's value when only strings and numbers are meaningful: anything else (objects,
/// arrays, booleans, `null` inside an `Option` reads as `None`) is [`Scalar::Other`], skipped
/// without allocating.
#[derive(Clone, Debug, PartialEq)]
pub enum Scalar<'a> {
    /// A string, borrowed from the input unless it had escapes.
    Str(std::borrow::Cow<'a, str>),
    /// A number.
    Number(serde_json::Number),
    /// Any other kind of value.
    Other,
}

impl Scalar<'_> {
    /// The string, or the number's JSON text; `None` for other kinds.
    #[must_use]
    pub fn to_text(&self) -> Option<String> {
        match self {
            Self::Str(text) => Some(text.clone().into_owned()),
            Self::Number(number) => Some(number.to_string()),
            Self::Other => None,
        }
    }

    /// The string, if the value is one.
    #[must_use]
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Self::Str(text) => Some(text),
            _ => None,
        }
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Scalar<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ScalarVisitor(std::marker::PhantomData))
    }
}

struct ScalarVisitor<'a>(std::marker::PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for ScalarVisitor<'a> {
    type Value = Scalar<'a>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Scalar::Str(std::borrow::Cow::Borrowed(v)))
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Scalar::Str(std::borrow::Cow::Owned(v.to_owned())))
    }

    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(Scalar::Str(std::borrow::Cow::Owned(v)))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Scalar::Number(v.into()))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Scalar::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Scalar::Other, Scalar::Number))
    }

    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Scalar::Other)
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Scalar::Other)
    }

    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(Scalar::Other)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<de::IgnoredAny>()?.is_some() {}
        Ok(Scalar::Other)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map
            .next_entry::<de::IgnoredAny, de::IgnoredAny>()?
            .is_some()
        {}
        Ok(Scalar::Other)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize)]
    struct Probe<'a> {
        #[serde(borrow, default)]
        id: Option<Scalar<'a>>,
    }

    #[test]
    fn members_are_read_without_a_tree_and_kinds_are_kept_apart() {
        let read = |json: &'static str| parse_members::<Probe<'_>>(json.as_bytes()).map(|p| p.id);
        assert_eq!(
            read(r#"{"id":"a"}"#).unwrap(),
            Some(Scalar::Str("a".into()))
        );
        assert_eq!(
            read(r#"{"id":"\u0061"}"#).unwrap().unwrap().as_str(),
            Some("a")
        );
        assert_eq!(
            read(r#"{"id":42}"#).unwrap().unwrap().to_text().as_deref(),
            Some("42")
        );
        assert_eq!(read(r#"{"id":{"x":[1]}}"#).unwrap(), Some(Scalar::Other));
        assert_eq!(read(r#"{"id":null}"#).unwrap(), None);
        assert_eq!(read(r#"{"other":1}"#).unwrap(), None);
    }

    #[test]
    fn finding_members_stops_once_all_were_seen() {
        let [id, kind] = find_members(
            br#" { "x" : [1, {"id": "nested"}], "id" : 7 , "type":"t"} "#,
            ["id", "type"],
        )
        .unwrap();
        assert_eq!(id.unwrap().to_text().as_deref(), Some("7"));
        assert_eq!(kind.unwrap().as_str(), Some("t"));
        // Not read past the members: the tail may be anything.
        let [id] = find_members(br#"{"id":"a", garbage"#, ["id"]).unwrap();
        assert_eq!(id.unwrap().as_str(), Some("a"));
        let [id, kind] = find_members(br#"{"id":"a","other":{}}"#, ["id", "type"]).unwrap();
        assert!(id.is_some() && kind.is_none());
        let [none] = find_members(b"{}", ["id"]).unwrap();
        assert!(none.is_none());
    }

    #[test]
    fn finding_members_refuses_what_it_reads_badly() {
        for bad in [
            &b""[..],
            b"[]",
            b"{",
            br#"{"id"}"#,
            br#"{"id":}"#,
            br#"{1:2}"#,
            br#"{"a":1 "id":2}"#,
            br#"{"a":1}x"#,
            br#"{"id":1,"id":3,"type":2}"#,
            br#"{"x":tru,"id":1}"#,
        ] {
            assert!(
                find_members(bad, ["id", "type"]).is_err(),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
        // Skipped members are walked without recursion: deep nesting costs no stack.
        let deep = format!(
            r#"{{"x":{}{},"id":1}}"#,
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        assert!(find_members(deep.as_bytes(), ["id"]).is_ok());
    }

    proptest::proptest! {
        #[test]
        fn finding_members_never_panics(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..256)) {
            let _ = find_members(&bytes, ["id", "type"]);
        }

        #[test]
        fn member_reading_agrees_with_parsing(
            json in r#"[\[\]{}:, "abx01.\\-]{0,40}"#,
            keys in proptest::collection::vec("[a-d]{1,3}", 0..40),
        ) {
            proptest::prop_assert_eq!(
                parse_strict_members(json.as_bytes(), ["a", "b"]).is_ok(),
                parse_strict_object(json.as_bytes()).is_ok(),
                "{}", json
            );
            // Objects with many keys, past the linear scan, repeated or not.
            let object = format!(
                "{{{}}}",
                keys.iter().map(|k| format!(r#""{k}":[{{"{k}":1}}]"#)).collect::<Vec<_>>().join(",")
            );
            proptest::prop_assert_eq!(
                parse_strict_members(object.as_bytes(), ["a", "b"]).is_ok(),
                parse_strict_object(object.as_bytes()).is_ok(),
                "{}", object
            );
        }

        #[test]
        fn finding_members_agrees_with_a_full_parse(id in "[a-z0-9_]{1,12}", pad in 0usize..4) {
            let body = format!(r#"{{"pad":[{}],"id":"{id}","type":"t"}}"#, "1,".repeat(pad) + "0");
            let [found, _] = find_members(body.as_bytes(), ["id", "type"]).unwrap();
            let full: Value = serde_json::from_str(&body).unwrap();
            let found = found.unwrap();
            proptest::prop_assert_eq!(found.as_str(), full["id"].as_str());
        }
    }

    #[test]
    fn members_refuse_repeats_non_objects_bombs_and_trailing_bytes() {
        let bad = |json: String| parse_members::<Probe<'_>>(json.as_bytes()).is_err();
        assert!(bad(r#"{"id":"a","id":"b"}"#.to_owned()));
        assert!(bad(r#"["a"]"#.to_owned()));
        assert!(bad(r#" "a" "#.to_owned()));
        assert!(bad(r#"{"id":"a"} x"#.to_owned()));
        let deep = format!(r#"{{"x":{}{}}}"#, "[".repeat(100_000), "]".repeat(100_000));
        assert!(!bad(deep), "skipped members are walked without recursion");
        assert!(bad(r#"{"id":"a""#.to_owned()));
    }

    #[test]
    fn deep_nesting_is_refused_without_overflow() {
        let deep = "[".repeat(10_000) + &"]".repeat(10_000);
        assert!(parse_strict(deep.as_bytes()).is_err());
        let ok = "[".repeat(60) + &"]".repeat(60);
        assert!(parse_strict(ok.as_bytes()).is_ok());
    }

    #[test]
    fn trailing_garbage_is_refused() {
        assert!(parse_strict(b"{} x").is_err());
    }

    #[test]
    fn duplicate_in_array_of_objects_is_refused() {
        assert!(parse_strict(br#"[{"k":1},{"k":1,"k":2}]"#).is_err());
        assert!(parse_strict(br#"[{"k":1},{"k":1}]"#).is_ok());
    }
}
