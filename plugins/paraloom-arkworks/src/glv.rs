//! GLV multiplication with width-4 NAF digits, where arkworks' own routines serve us badly.
//!
//! Every scalar k is split as k1 + λ·k2 with halves of about 128 bits; P and φ(P) (one field
//! multiplication away) each get a table of odd multiples P, 3P, 5P, 7P, and one chain of about
//! 128 doublings adds a table entry at each non-zero NAF digit (about 51 additions in all).
//!
//! - One scalar times many points (a ceremony contribution rescales a key section): arkworks
//!   decomposes the scalar again for every point, with num-bigint allocations, and then runs a
//!   plain double-and-add with projective additions (73 µs per G1 point here). Here the digits
//!   are computed once, and the tables of a chunk of points are normalised to affine together
//!   (one shared inversion) so that the additions are mixed ones.
//! - Few scalars times one point: arkworks' windowed fixed-base table costs about 1.5 ms to
//!   build, more than a few GLV multiplications sharing one table.
//! - MSMs of a handful of points (a verifier's public inputs): Pippenger's buckets cost more
//!   than Straus' shared doubling chain over every point's digits.

use core::ops::{AddAssign, Neg};

use ark_ec::scalar_mul::glv::GLVConfig;
use ark_ec::short_weierstrass::{Affine, Projective};
use ark_ec::{AdditiveGroup, AffineRepr, CurveGroup};
use ark_ff::{BigInteger, PrimeField};
use rayon::prelude::*;

const WINDOW: usize = 4;
/// Odd multiples 1, 3, .., 2^(WINDOW-1) - 1: every digit a width-4 NAF can hold.
const TABLE: usize = 1 << (WINDOW - 2);
/// Points per task: big enough that the shared inversion is cheap per point.
const CHUNK: usize = 256;

/// `scalar`·P for every P, in affine form.
pub fn batch_times<P: GLVConfig>(points: &[Affine<P>], scalar: P::ScalarField) -> Vec<Affine<P>> {
    let digits = Digits::of::<P>(scalar);
    let products: Vec<Projective<P>> = points
        .par_chunks(CHUNK)
        .flat_map_iter(|chunk| {
            let tables = Projective::normalize_batch(&odd_multiples(chunk));
            let images: Vec<_> = tables.iter().map(P::endomorphism_affine).collect();
            let pairs = tables.chunks_exact(TABLE).zip(images.chunks_exact(TABLE));
            pairs.map(|(table, images)| straus(&[(&digits, table, images)])).collect::<Vec<_>>()
        })
        .collect();
    Projective::normalize_batch(&products)
}

/// `scalar`·P for one point. Tables stay projective here and below: normalising them costs
/// more than the mixed additions save, and a thread wake-up besides.
pub fn times<P: GLVConfig>(point: Affine<P>, scalar: P::ScalarField) -> Affine<P> {
    small_msm(&[point], &[scalar]).into_affine()
}

/// Few scalars times one point, sharing the base's tables.
pub fn fixed_base_times<P: GLVConfig>(
    base: Affine<P>,
    scalars: &[P::ScalarField],
) -> Vec<Affine<P>> {
    let (table, images) = projective_tables(base);
    let products: Vec<Projective<P>> = scalars
        .par_iter()
        .map(|scalar| straus(&[(&Digits::of::<P>(*scalar), &table, &images)]))
        .collect();
    Projective::normalize_batch(&products)
}

/// Σ scalars[i]·points[i] for a handful of points, on the calling thread.
pub fn small_msm<P: GLVConfig>(points: &[Affine<P>], scalars: &[P::ScalarField]) -> Projective<P> {
    let digits: Vec<Digits> = scalars.iter().map(|scalar| Digits::of::<P>(*scalar)).collect();
    let tables: Vec<_> = points.iter().map(|point| projective_tables(*point)).collect();
    let terms: Vec<_> = digits
        .iter()
        .zip(&tables)
        .map(|(digits, (table, images))| (digits, table.as_slice(), images.as_slice()))
        .collect();
    straus(&terms)
}

/// One term of a Straus sum: a scalar's digits, the odd multiples of P and those of φ(P).
type Term<'a, E> = (&'a Digits, &'a [E], &'a [E]);

/// Σ over the terms, with one doubling chain shared by all of them.
fn straus<P: GLVConfig, E>(terms: &[Term<'_, E>]) -> Projective<P>
where
    E: Copy + Neg<Output = E>,
    Projective<P>: AddAssign<E>,
{
    let length = terms.iter().map(|(digits, _, _)| digits.len()).max().unwrap_or(0);
    let mut sum = Projective::<P>::ZERO;
    for bit in (0..length).rev() {
        sum.double_in_place();
        for (digits, table, images) in terms {
            add_digit(&mut sum, table, digits.first.get(bit));
            add_digit(&mut sum, images, digits.second.get(bit));
        }
    }
    sum
}

/// The signed digits of both GLV halves, least significant first, signs folded in.
struct Digits {
    first: Vec<i64>,
    second: Vec<i64>,
}

impl Digits {
    fn of<P: GLVConfig>(scalar: P::ScalarField) -> Self {
        let ((first_positive, first), (second_positive, second)) = P::scalar_decomposition(scalar);
        Self { first: naf(first, first_positive), second: naf(second, second_positive) }
    }

    fn len(&self) -> usize {
        self.first.len().max(self.second.len())
    }
}

fn naf<F: PrimeField>(half: F, positive: bool) -> Vec<i64> {
    let digits = half.into_bigint().find_wnaf(WINDOW).expect("the window is within 2..64");
    if positive {
        digits
    } else {
        digits.into_iter().map(|digit| -digit).collect()
    }
}

fn add_digit<P: GLVConfig, E>(sum: &mut Projective<P>, table: &[E], digit: Option<&i64>)
where
    E: Copy + Neg<Output = E>,
    Projective<P>: AddAssign<E>,
{
    match digit.copied() {
        Some(digit) if digit > 0 => *sum += table[(digit / 2) as usize],
        Some(digit) if digit < 0 => *sum += -table[(-digit / 2) as usize],
        _ => {}
    }
}

/// The odd multiples of P and of φ(P), projective.
fn projective_tables<P: GLVConfig>(point: Affine<P>) -> (Vec<Projective<P>>, Vec<Projective<P>>) {
    let table = odd_multiples(&[point]);
    let images = table.iter().map(P::endomorphism).collect();
    (table, images)
}

/// P, 3P, 5P, 7P for every point.
fn odd_multiples<P: GLVConfig>(points: &[Affine<P>]) -> Vec<Projective<P>> {
    let mut multiples = Vec::with_capacity(points.len() * TABLE);
    for point in points {
        let double = point.into_group().double();
        let mut multiple = point.into_group();
        multiples.push(multiple);
        for _ in 1..TABLE {
            multiple += double;
            multiples.push(multiple);
        }
    }
    multiples
}
