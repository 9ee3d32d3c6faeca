//! The boundary: affine integer tuples in and out, with the checks untrusted points need.
//!
//! A point is refused when it is not of the documented shape with coordinates below q, not on
//! the curve, or (G2) not in the order-r subgroup. Checks run in that order and, like the other
//! backends, the shape and curve checks of every point come before any subgroup check, so a
//! batch reports the same point with the same message whichever backend checks it. The work
//! after reading the Python objects (Montgomery conversion, curve equation, subgroup check via
//! arkworks' endomorphism test) runs in parallel without the GIL.

use ark_ec::short_weierstrass::{Affine, SWCurveConfig};
use ark_ec::AffineRepr;
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use rayon::prelude::*;

use crate::coordinates::{pair, Coordinate};
use crate::errors::InvalidPointError;
use crate::points::PyPoint;

type Raw<P> = <<P as ark_ec::CurveConfig>::BaseField as Coordinate>::Raw;

/// What reading a Python value under the GIL found.
enum Parsed<R> {
    Infinity,
    Coordinates(R, R),
    Malformed,
}

/// Why a point was refused, in the order the checks run.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    Malformed,
    OffCurve,
    OutsideSubgroup,
}

type RawPoint<P> = Option<(Raw<P>, Raw<P>)>;

/// One validated point from an affine tuple.
pub fn from_affine<T: PyPoint>(value: &Bound<'_, PyAny>) -> PyResult<Affine<T::Config>> {
    check(&parse::<T::Config>(value), true).map_err(|refusal| refused::<T>(refusal, value))
}

/// Validated points from affine tuples; the error names the first refused point.
pub fn batch_from_affine<T: PyPoint>(
    py: Python<'_>,
    values: &Bound<'_, PyAny>,
) -> PyResult<Vec<Affine<T::Config>>> {
    let items = values.try_iter()?.collect::<PyResult<Vec<_>>>()?;
    let parsed: Vec<_> = items.iter().map(parse::<T::Config>).collect();
    let checked: Vec<_> = py.detach(|| parsed.par_iter().map(|p| check(p, true)).collect());
    let first = checked
        .iter()
        .enumerate()
        .filter_map(|(index, result)| result.err().map(|refusal| (refusal, index)))
        .min_by_key(|&(refusal, index)| (refusal == Refusal::OutsideSubgroup, index));
    match first {
        Some((refusal, index)) => Err(refused::<T>(refusal, &items[index])),
        None => Ok(checked.into_iter().flatten().collect()),
    }
}

/// The affine tuple of a point (None at infinity).
pub fn to_affine<'py, P: SWCurveConfig<BaseField: Coordinate>>(
    py: Python<'py>,
    point: &Affine<P>,
) -> PyResult<Bound<'py, PyAny>> {
    write::<P>(py, &raw(point))
}

/// The affine tuples of many points; the field conversions run in parallel without the GIL.
pub fn batch_to_affine<'py, P: SWCurveConfig<BaseField: Coordinate>>(
    py: Python<'py>,
    points: &[Affine<P>],
) -> PyResult<Vec<Bound<'py, PyAny>>> {
    let raws: Vec<RawPoint<P>> = py.detach(|| points.par_iter().map(raw).collect());
    raws.iter().map(|point| write::<P>(py, point)).collect()
}

fn raw<P: SWCurveConfig<BaseField: Coordinate>>(point: &Affine<P>) -> RawPoint<P> {
    point.xy().map(|(x, y)| (x.to_raw(), y.to_raw()))
}

fn write<'py, P: SWCurveConfig<BaseField: Coordinate>>(
    py: Python<'py>,
    point: &RawPoint<P>,
) -> PyResult<Bound<'py, PyAny>> {
    match point {
        None => Ok(py.None().into_bound(py)),
        Some((x, y)) => {
            let coordinates = [P::BaseField::write(py, x)?, P::BaseField::write(py, y)?];
            Ok(PyTuple::new(py, coordinates)?.into_any())
        }
    }
}

/// Shape, range and curve equation, without the subgroup check (G1 has cofactor 1).
pub fn is_on_curve<P: SWCurveConfig<BaseField: Coordinate>>(value: &Bound<'_, PyAny>) -> bool {
    check::<P>(&parse::<P>(value), false).is_ok()
}

/// Whether an affine value is an on-curve point of order dividing r.
pub fn is_in_subgroup<P: SWCurveConfig<BaseField: Coordinate>>(value: &Bound<'_, PyAny>) -> bool {
    check::<P>(&parse::<P>(value), true).is_ok()
}

fn parse<P: SWCurveConfig<BaseField: Coordinate>>(value: &Bound<'_, PyAny>) -> Parsed<Raw<P>> {
    if value.is_none() {
        return Parsed::Infinity;
    }
    let coordinates =
        pair(value).and_then(|(x, y)| Some((P::BaseField::read(&x)?, P::BaseField::read(&y)?)));
    match coordinates {
        Some((x, y)) => Parsed::Coordinates(x, y),
        None => Parsed::Malformed,
    }
}

fn check<P: SWCurveConfig<BaseField: Coordinate>>(
    parsed: &Parsed<Raw<P>>,
    subgroup: bool,
) -> Result<Affine<P>, Refusal> {
    let (x, y) = match parsed {
        Parsed::Infinity => return Ok(Affine::identity()),
        Parsed::Malformed => return Err(Refusal::Malformed),
        Parsed::Coordinates(x, y) => (x, y),
    };
    let x = P::BaseField::from_raw(x).ok_or(Refusal::Malformed)?;
    let y = P::BaseField::from_raw(y).ok_or(Refusal::Malformed)?;
    validate(Affine::new_unchecked(x, y), subgroup)
}

/// The curve checks of a point with coordinates below q that is not the point at infinity.
pub fn validate<P: SWCurveConfig>(point: Affine<P>, subgroup: bool) -> Result<Affine<P>, Refusal> {
    // ark-bn254 encodes infinity as (0, 0), which is no curve point (b ≠ 0): explicit (0, 0)
    // would pass `is_on_curve` as the identity, but the boundary's infinity is None only
    if point.is_zero() || !point.is_on_curve() {
        return Err(Refusal::OffCurve);
    }
    if subgroup && !point.is_in_correct_subgroup_assuming_on_curve() {
        return Err(Refusal::OutsideSubgroup);
    }
    Ok(point)
}

fn refused<T: PyPoint>(refusal: Refusal, value: &Bound<'_, PyAny>) -> PyErr {
    InvalidPointError::new_err(refusal_message::<T>(refusal, value))
}

/// "G1 point (x, y) is not ...", the other backends' message for a refused affine value.
pub fn refusal_message<T: PyPoint>(refusal: Refusal, value: &Bound<'_, PyAny>) -> String {
    let shown = value.repr().map_or_else(|_| "<unprintable>".to_owned(), |text| text.to_string());
    let group = T::GROUP;
    match refusal {
        Refusal::Malformed => format!("{group} point {shown} is not {}", T::SHAPE),
        Refusal::OffCurve => format!("{group} point {shown} is not on {}", T::CURVE),
        Refusal::OutsideSubgroup => format!("{group} point {shown} is not in the order-r subgroup"),
    }
}
