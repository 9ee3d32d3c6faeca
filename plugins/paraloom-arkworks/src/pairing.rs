//! The pairing check: Π e(P_i, Q_i) = 1 with one final exponentiation for the whole product.
//!
//! arkworks' multi Miller loop shares the Fq12 squarings among the pairs of one rayon chunk but
//! cuts chunks of four pairs, so a Groth16 check (four pairs) would run on one core. Here the
//! pairs are cut into one chunk per thread (each also preparing its own G2 line coefficients,
//! so one rayon dispatch does all the parallel work), and the partial products meet in a
//! single final exponentiation.

use ark_bn254::{Bn254, Fq12, G1Affine, G2Affine};
use ark_ec::pairing::{MillerLoopOutput, Pairing};
use ark_ff::One;
use pyo3::prelude::*;
use rayon::prelude::*;

use crate::coordinates::pair;
use crate::errors::InvalidPointError;
use crate::points::{read_point, G1, G2};

pub fn multi_pairing_check(py: Python<'_>, pairs: &Bound<'_, PyAny>) -> PyResult<bool> {
    let mut g1s: Vec<G1Affine> = Vec::with_capacity(pairs.len().unwrap_or(0));
    let mut g2s: Vec<G2Affine> = Vec::with_capacity(g1s.capacity());
    for (index, item) in pairs.try_iter()?.enumerate() {
        let item = item?;
        let (p, q) = pair(&item).ok_or_else(|| {
            InvalidPointError::new_err(format!("pair {index} is not a (G1, G2) tuple of points"))
        })?;
        g1s.push(read_point::<G1>(&p)?);
        g2s.push(read_point::<G2>(&q)?);
    }
    Ok(py.detach(|| product_is_one(&g1s, &g2s)))
}

fn product_is_one(g1s: &[G1Affine], g2s: &[G2Affine]) -> bool {
    let chunk = g1s.len().div_ceil(rayon::current_num_threads()).max(1);
    let miller = g1s
        .par_chunks(chunk)
        .zip(g2s.par_chunks(chunk))
        .map(|(ps, qs)| Bn254::multi_miller_loop(ps.iter().copied(), qs.iter().copied()).0)
        .reduce(Fq12::one, |a, b| a * b);
    Bn254::final_exponentiation(MillerLoopOutput(miller)).is_some_and(|output| output.0.is_one())
}
