// Prints arkworks' compressed serialization of points k·G and of Groth16 structures, as JSON
// lines, for paraloom's compact codec tests. Input: none; scalars are fixed below.
use ark_bn254::{Bn254, Fr, G1Affine, G1Projective, G2Affine, G2Projective};
use ark_ec::{AffineRepr, CurveGroup, PrimeGroup};
use ark_ff::{BigInteger, PrimeField};
use ark_groth16::{Proof, VerifyingKey};
use ark_serialize::CanonicalSerialize;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{:02x}", b)).collect()
}

fn ser<T: CanonicalSerialize>(value: &T) -> String {
    let mut out = Vec::new();
    value.serialize_compressed(&mut out).unwrap();
    hex(&out)
}

fn dec(f: &impl PrimeField) -> String {
    f.into_bigint().to_string()
}

fn g1(k: u64) -> G1Affine {
    (G1Projective::generator() * Fr::from(k)).into_affine()
}

fn g2(k: u64) -> G2Affine {
    (G2Projective::generator() * Fr::from(k)).into_affine()
}

fn g1_json(p: &G1Affine) -> String {
    match p.xy() {
        None => "null".to_string(),
        Some((x, y)) => format!("[\"{}\",\"{}\"]", dec(&x), dec(&y)),
    }
}

fn g2_json(p: &G2Affine) -> String {
    match p.xy() {
        None => "null".to_string(),
        Some((x, y)) => format!(
            "[[\"{}\",\"{}\"],[\"{}\",\"{}\"]]",
            dec(&x.c0), dec(&x.c1), dec(&y.c0), dec(&y.c1)
        ),
    }
}

fn main() {
    let ks: [u64; 6] = [0, 1, 2, 3, 5, 0xC0FFEE];
    for k in ks {
        let p = g1(k);
        println!("{{\"kind\":\"g1\",\"k\":{},\"point\":{},\"hex\":\"{}\"}}", k, g1_json(&p), ser(&p));
        let q = g2(k);
        println!("{{\"kind\":\"g2\",\"k\":{},\"point\":{},\"hex\":\"{}\"}}", k, g2_json(&q), ser(&q));
        if k == 0 {
            continue; // -0·G is 0·G
        }
        let n = -g1(k);
        println!("{{\"kind\":\"g1\",\"k\":-{},\"point\":{},\"hex\":\"{}\"}}", k, g1_json(&n), ser(&n));
        let m = -g2(k);
        println!("{{\"kind\":\"g2\",\"k\":-{},\"point\":{},\"hex\":\"{}\"}}", k, g2_json(&m), ser(&m));
    }
    let proof = Proof::<Bn254> { a: g1(7), b: g2(11), c: g1(13) };
    println!("{{\"kind\":\"proof\",\"a\":7,\"b\":11,\"c\":13,\"hex\":\"{}\"}}", ser(&proof));
    let vk = VerifyingKey::<Bn254> {
        alpha_g1: g1(17),
        beta_g2: g2(19),
        gamma_g2: g2(1),
        delta_g2: g2(23),
        gamma_abc_g1: vec![g1(29), g1(31), G1Affine::identity()],
    };
    println!("{{\"kind\":\"vk\",\"alpha\":17,\"beta\":19,\"gamma\":1,\"delta\":23,\"ic\":[29,31,0],\"hex\":\"{}\"}}", ser(&vk));
    let public: Vec<Fr> = vec![Fr::from(33u64), -Fr::from(1u64), Fr::from(0u64)];
    let minus_one = (-Fr::from(1u64)).into_bigint().to_bytes_be();
    println!("{{\"kind\":\"public\",\"values\":[\"33\",\"{}\",\"0\"],\"hex\":\"{}\",\"check\":\"{}\"}}", dec(&(-Fr::from(1u64))), ser(&public), hex(&minus_one));
}
