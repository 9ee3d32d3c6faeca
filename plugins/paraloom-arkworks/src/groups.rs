//! The group law and the batch multiplications, generic over G1 and G2.
//!
//! Inputs are read under the GIL, the arithmetic runs without it (rayon for the batches), and
//! batch results are normalised to affine together, with one shared inversion.

use ark_bn254::Fr;
use ark_ec::scalar_mul::variable_base::VariableBaseMSM;
use ark_ec::scalar_mul::ScalarMul;
use ark_ec::short_weierstrass::Projective;
use ark_ec::{AffineRepr, CurveGroup};
use pyo3::prelude::*;

use crate::errors::LengthMismatchError;
use crate::glv;
use crate::points::{read_point, read_points, wrap_all, PyPoint};
use crate::scalars::{read_scalar, read_scalars, to_field, Scalar};

/// From this many scalars on, arkworks' fixed-base table pays for its construction (G1,
/// 2 threads: 0.9 ms against 1.1 ms at 32 scalars, 1.2 ms against 1.3-1.5 ms at 48).
const FIXED_BASE_TABLE_FROM: usize = 40;
/// Up to this many points, Straus' shared doublings beat Pippenger's buckets (G1, 2 threads:
/// 0.07 ms against 0.22 ms for 2 points, 0.36-0.44 ms against 0.47-0.51 ms for 16, even at 32).
const STRAUS_UP_TO: usize = 16;

pub fn add<T: PyPoint>(a: &Bound<'_, PyAny>, b: &Bound<'_, PyAny>) -> PyResult<T> {
    let sum = read_point::<T>(a)? + read_point::<T>(b)?;
    Ok(T::wrap(sum.into_affine()))
}

pub fn neg<T: PyPoint>(a: &Bound<'_, PyAny>) -> PyResult<T> {
    Ok(T::wrap(-read_point::<T>(a)?))
}

pub fn eq<T: PyPoint>(a: &Bound<'_, PyAny>, b: &Bound<'_, PyAny>) -> PyResult<bool> {
    Ok(read_point::<T>(a)? == read_point::<T>(b)?)
}

pub fn mul<T: PyPoint>(
    py: Python<'_>,
    point: &Bound<'_, PyAny>,
    scalar: &Bound<'_, PyAny>,
) -> PyResult<T> {
    let point = read_point::<T>(point)?;
    let scalar = Fr::new(read_scalar(scalar, "scalar")?);
    Ok(T::wrap(py.detach(|| glv::times(point, scalar))))
}

/// Σ scalars[i]·points[i]: Pippenger with signed digits (arkworks' `msm_bigint`), or Straus
/// for a handful of points.
pub fn msm<T: PyPoint>(
    py: Python<'_>,
    points: &Bound<'_, PyAny>,
    scalars: &Bound<'_, PyAny>,
) -> PyResult<T> {
    let (count, scalar_count) = (points.len()?, scalars.len()?);
    if count != scalar_count {
        return Err(LengthMismatchError::new_err(format!(
            "an MSM needs one scalar per point: got {count} points, {scalar_count} scalars"
        )));
    }
    let scalars: Vec<Scalar> = read_scalars(scalars, "scalar")?;
    let bases = read_points::<T>(points)?;
    let sum = py.detach(|| {
        if bases.len() <= STRAUS_UP_TO {
            glv::small_msm(&bases, &to_field(&scalars))
        } else {
            Projective::msm_bigint(&bases, &scalars)
        }
    });
    Ok(T::wrap(sum.into_affine()))
}

/// One scalar times many points (a ceremony contribution rescales whole sections).
pub fn batch_mul<T: PyPoint>(
    py: Python<'_>,
    points: &Bound<'_, PyAny>,
    scalar: &Bound<'_, PyAny>,
) -> PyResult<Vec<T>> {
    let scalar = Fr::new(read_scalar(scalar, "scalar")?);
    let points = read_points::<T>(points)?;
    Ok(wrap_all::<T>(py.detach(|| glv::batch_times(&points, scalar))))
}

/// Many scalars times one point: arkworks' windowed table of the base, or for a few scalars
/// GLV multiplications sharing the base's odd multiples.
pub fn fixed_base_mul<T: PyPoint>(
    py: Python<'_>,
    base: &Bound<'_, PyAny>,
    scalars: &Bound<'_, PyAny>,
) -> PyResult<Vec<T>> {
    let scalars = read_scalars(scalars, "scalar")?;
    let base = read_point::<T>(base)?;
    let products = py.detach(|| {
        let scalars = to_field(&scalars);
        if scalars.len() < FIXED_BASE_TABLE_FROM {
            glv::fixed_base_times(base, &scalars)
        } else {
            base.into_group().batch_mul(&scalars)
        }
    });
    Ok(wrap_all::<T>(products))
}
