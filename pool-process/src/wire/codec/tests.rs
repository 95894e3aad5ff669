//! The codec's unit tests: round trips of every encoding, and its errors.

use super::*;

fn round_trip<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug + Clone + 'static>(
    value: T,
) {
    let encoded = encode(value.clone()).unwrap();
    let mut joined = encoded.head.clone();
    joined.extend_from_slice(&encoded.body);
    assert_eq!(decode::<T>(&joined).unwrap(), value);
}

#[test]
fn every_path_round_trips() {
    round_trip(vec![1u8, 2, 3]);
    round_trip(String::from("héllo"));
    round_trip(vec![1u64, u64::MAX]);
    round_trip(vec![-1.5f64, 2.25]);
    round_trip(vec![i128::MIN]);
    round_trip(42u64);
    round_trip((1u8, String::from("x"), vec![Some(3i32)]));
    round_trip(Vec::<u32>::new());
    round_trip(Vec::<u8>::new());
    round_trip(String::new());
    round_trip(vec![f64::NAN.to_bits(), 0]);
    round_trip(vec![vec![1.5f64], Vec::new()]);
    round_trip((vec![1u8; 300], vec![2u16; 3]));
    round_trip(vec![7u8; bulk::HUGE_FROM]);
    round_trip(vec![-3i64; bulk::HUGE_FROM / 8 + 1]);
}

#[test]
fn bulk_values_move_into_the_body() {
    let bytes = vec![5u8; 1000];
    let address = bytes.as_ptr();
    let encoded = encode(bytes).unwrap();
    assert_eq!(encoded.head, [BYTES]);
    assert_eq!(encoded.body.as_ptr(), address, "moved, not copied");
    let floats = vec![0.5f64; 1000];
    let address = floats.as_ptr().cast::<u8>();
    let encoded = encode(floats).unwrap();
    assert_eq!(encoded.head, [NUMBERS]);
    assert_eq!(encoded.body.len(), 8000);
    if cfg!(target_endian = "little") {
        assert_eq!(encoded.body.as_ptr(), address, "moved, not copied");
    }
    assert_eq!(encoded.body[..8], 0.5f64.to_le_bytes());
}

#[test]
fn shared_items_encode_chunks_as_slices_would_be() {
    let items: Vec<u64> = (0..100).map(|i| i * 3).collect();
    let shared = SharedItems::new(items.clone()).unwrap();
    assert_eq!(shared.items::<u64>(), &items[..]);
    for range in [0..0, 0..1, 10..37, 99..100] {
        let view = shared.encode(range.clone());
        let copy = encode_slice(&items[range.clone()]).unwrap();
        assert_eq!(view.head, copy.head);
        assert_eq!(&view.body[..], &copy.body[..], "{range:?}");
    }
    let bytes = SharedItems::new(vec![1u8, 2, 3]).unwrap();
    let view = bytes.encode(1..3);
    let mut joined = view.head.clone();
    joined.extend_from_slice(&view.body);
    assert_eq!(decode::<Vec<u8>>(&joined).unwrap(), [2, 3]);
    let words = vec![String::from("not numbers")];
    assert_eq!(SharedItems::new(words.clone()).err(), Some(words));
}

#[test]
fn a_reply_is_encoded_after_the_head_already_written() {
    let mut out = Encoded::default();
    out.head.push(0);
    encode_reply(vec![1u32, 2], &mut out).unwrap();
    assert_eq!(out.head, [0, NUMBERS]);
    assert_eq!(&out.body[..], [1, 0, 0, 0, 2, 0, 0, 0]);
    out.clear();
    out.head.push(0);
    encode_reply((1u8, 2u8), &mut out).unwrap();
    assert_eq!(out.head, [0, POSTCARD, 1, 2]);
    assert!(out.body.is_empty());
    let mut joined = out.head[1..].to_vec();
    joined.extend_from_slice(&out.body);
    assert_eq!(decode::<(u8, u8)>(&joined).unwrap(), (1, 2));
}

fn slice_round_trip<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug + 'static>(
    items: &[T],
) {
    let encoded = encode_slice(items).unwrap();
    let mut joined = encoded.head;
    joined.extend_from_slice(&encoded.body);
    assert_eq!(decode::<Vec<T>>(&joined).unwrap(), items);
}

#[test]
fn slices_decode_as_vecs() {
    slice_round_trip(&[1u8, 2, 255]);
    slice_round_trip(&[1u64, 2, u64::MAX]);
    slice_round_trip(&[0.5f32]);
    slice_round_trip(&[String::from("a"), String::from("bc")]);
    slice_round_trip::<(u8, bool)>(&[]);
}

#[test]
fn a_mismatch_is_an_error_not_a_panic() {
    let encoded = encode(vec![1u8]).unwrap();
    let mut joined = encoded.head;
    joined.extend_from_slice(&encoded.body);
    assert!(decode::<Vec<u64>>(&joined).is_err());
    assert!(decode::<u8>(&[]).is_err());
    assert!(decode::<Vec<u16>>(&[NUMBERS, 1, 2, 3]).is_err());
}

#[test]
fn postcard_decoding_is_strict_and_keeps_custom_messages() {
    let bytes = postcard::to_stdvec(&(0u8, 7u8)).unwrap();
    assert_eq!(postcard::from_bytes::<String>(&bytes).unwrap(), "");
    let error = from_postcard::<String>(&bytes).unwrap_err();
    assert!(error.contains("1 of 2 bytes left over"), "{error}");
    assert_eq!(from_postcard::<(u8, u8)>(&bytes).unwrap(), (0, 7));

    struct Nope;
    impl Serialize for Nope {
        fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
            Err(serde::ser::Error::custom("nope, says Nope"))
        }
    }
    let error = to_postcard(&vec![Some(Nope)]).unwrap_err();
    assert_eq!(error, "nope, says Nope");
    // serde's own messages (here a derived enum's) are kept as well.
    #[derive(Debug, serde::Deserialize)]
    enum One {
        A,
    }
    let error = from_postcard::<One>(&[3]).unwrap_err();
    assert!(error.contains("expected variant index"), "{error}");
}
