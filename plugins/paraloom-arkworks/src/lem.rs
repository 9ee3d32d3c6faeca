//! Points as .zkey and .ptau files store them, straight into arkworks points: no Python ints.
//!
//! The storage form ("LEM") is x ‖ y, each coordinate made of 32-byte little-endian Fq elements
//! in Montgomery form (G2: c0 ‖ c1); all-zero bytes are the point at infinity. Montgomery form
//! with R = 2^256 is arkworks' own representation of Fq, so an element below q is taken as it
//! is. The checks and their order are the other backends' (`paraloom/math/lem.py`): the length,
//! then the first element not below q in the block, then the first point off the curve, then
//! the first (G2) point outside the subgroup; all of them run in parallel without the GIL.

use ark_bn254::Fq;
use ark_ec::short_weierstrass::{Affine, SWCurveConfig};
use ark_ff::{AdditiveGroup, BigInt, BigInteger, PrimeField};
use pyo3::prelude::*;
use rayon::prelude::*;

use crate::affine::{refusal_message, to_affine, validate, Refusal};
use crate::coordinates::Coordinate;
use crate::errors::{InvalidPointError, InvalidScalarError};
use crate::ints::{limbs_from_le_bytes, write_u256, Limbs, BYTES};
use crate::points::PyPoint;

/// Why a stored point was refused, in the order the checks run.
enum Failure<P: SWCurveConfig> {
    /// The element at this index of the point is not below q.
    Element(usize),
    /// The point (its coordinates are below q) failed a curve check.
    Point(Refusal, Affine<P>),
}

// by hand: deriving would require the curve configuration itself to be Copy
impl<P: SWCurveConfig> Clone for Failure<P> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<P: SWCurveConfig> Copy for Failure<P> {}

/// At most 4 elements make a point (G2: two Fq2 coordinates).
const MAX_ELEMENTS: usize = 4;

/// The validated points of a block of stored points; the error names the first refused one,
/// numbering the block's points from `first` (where the block starts in its section).
pub fn batch_from_lem<T: PyPoint>(
    py: Python<'_>,
    data: &[u8],
    first: usize,
) -> PyResult<Vec<Affine<T::Config>>> {
    let width = elements_per_point::<T::Config>() * BYTES;
    if data.len() % width != 0 {
        let message =
            format!("{} bytes are not whole {width}-byte {} points", data.len(), T::GROUP);
        return Err(InvalidPointError::new_err(message));
    }
    let decoded: Vec<_> =
        py.detach(|| data.par_chunks_exact(width).map(decode::<T::Config>).collect());
    let reported = decoded
        .iter()
        .enumerate()
        .filter_map(|(index, result)| {
            result.as_ref().err().map(|failure| (rank(failure, index), *failure))
        })
        .min_by_key(|&(rank, _)| rank);
    match reported {
        None => Ok(decoded.into_iter().flatten().collect()),
        Some(((_, index), failure)) => {
            Err(refused::<T>(py, &data[index * width..][..width], first + index, failure))
        }
    }
}

fn elements_per_point<P: SWCurveConfig<BaseField: Coordinate>>() -> usize {
    2 * P::BaseField::DEGREE
}

/// Which failure of a block is reported: the first element not below q (each point records
/// its first), else the first point off the curve, else the first outside the subgroup, as the
/// other backends check them.
fn rank<P: SWCurveConfig>(failure: &Failure<P>, index: usize) -> (u8, usize) {
    match failure {
        Failure::Element(_) => (0, index),
        Failure::Point(Refusal::OutsideSubgroup, _) => (2, index),
        Failure::Point(_, _) => (1, index),
    }
}

fn decode<P: SWCurveConfig<BaseField: Coordinate>>(stored: &[u8]) -> Result<Affine<P>, Failure<P>> {
    match unchecked::<P>(stored).map_err(Failure::Element)? {
        None => Ok(Affine::identity()),
        Some(point) => validate(point, true).map_err(|refusal| Failure::Point(refusal, point)),
    }
}

/// The stored point before the curve checks (None: infinity), or the index of the first of its
/// elements that is not below q.
fn unchecked<P: SWCurveConfig<BaseField: Coordinate>>(
    stored: &[u8],
) -> Result<Option<Affine<P>>, usize> {
    let mut fields = [Fq::ZERO; MAX_ELEMENTS];
    let mut zero = true;
    for (index, (field, bytes)) in fields.iter_mut().zip(stored.chunks_exact(BYTES)).enumerate() {
        let value = stored_integer(bytes);
        if value >= Fq::MODULUS {
            return Err(index);
        }
        zero &= value.is_zero();
        *field = Fq::new_unchecked(value);
    }
    if zero {
        return Ok(None);
    }
    let (x, y) = fields[..elements_per_point::<P>()].split_at(P::BaseField::DEGREE);
    Ok(Some(Affine::new_unchecked(P::BaseField::from_elements(x), P::BaseField::from_elements(y))))
}

fn stored_integer(bytes: &[u8]) -> BigInt<4> {
    let mut word = [0u8; BYTES];
    word.copy_from_slice(bytes);
    BigInt::new(limbs_from_le_bytes(&word))
}

/// The error for point `index`, whose stored bytes are `stored`, in the other backends' words.
fn refused<T: PyPoint>(
    py: Python<'_>,
    stored: &[u8],
    index: usize,
    failure: Failure<T::Config>,
) -> PyErr {
    let (refusal, point) = match failure {
        Failure::Element(element) => return out_of_range(py, stored, index, element),
        Failure::Point(refusal, point) => (refusal, point),
    };
    match to_affine(py, &point) {
        Ok(shown) => {
            let message = refusal_message::<T>(refusal, &shown);
            InvalidPointError::new_err(format!("point {index}: {message}"))
        }
        Err(error) => error,
    }
}

/// "point 7: element 1 is 2^256 - 1, not below q" (in decimal), for element `element` of
/// point `index`.
fn out_of_range(py: Python<'_>, stored: &[u8], index: usize, element: usize) -> PyErr {
    let value = stored_integer(&stored[element * BYTES..][..BYTES]);
    let shown = |limbs: &Limbs| write_u256(py, limbs).map(|int| int.to_string());
    match (shown(&value.0), shown(&Fq::MODULUS.0)) {
        (Ok(value), Ok(modulus)) => InvalidScalarError::new_err(format!(
            "point {index}: element {element} is {value}, not below {modulus}"
        )),
        (Err(error), _) | (_, Err(error)) => error,
    }
}
