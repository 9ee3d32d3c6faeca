//! Scalars from Python, read once under the GIL into the canonical integers MSM works on.
//!
//! Each must be an integer in [0, r): reducing an untrusted scalar silently would hide encoding
//! bugs, so the first one outside is refused with the index and value, as the other backends do.

use ark_bn254::Fr;
use ark_ff::{BigInt, PrimeField};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::PyInt;
use rayon::prelude::*;

use crate::errors::InvalidScalarError;
use crate::ints::read_u256;

/// A canonical element of Fr as an integer (not in Montgomery form).
pub type Scalar = BigInt<4>;

/// One scalar; `what` names it in the error ("scalar", "coset shift").
pub fn read_scalar(value: &Bound<'_, PyAny>, what: &str) -> PyResult<Scalar> {
    canonical(value).ok_or_else(|| {
        InvalidScalarError::new_err(format!("{what} {} is not in [0, r)", shown(value)))
    })
}

/// A whole sequence; the error names the first scalar outside [0, r) by its index.
pub fn read_scalars(values: &Bound<'_, PyAny>, what: &str) -> PyResult<Vec<Scalar>> {
    let mut scalars = Vec::with_capacity(values.len().unwrap_or(0));
    for (index, value) in values.try_iter()?.enumerate() {
        let value = value?;
        let scalar = canonical(&value).ok_or_else(|| {
            InvalidScalarError::new_err(format!(
                "{what} at index {index} is {}, not in [0, r)",
                shown(&value)
            ))
        })?;
        scalars.push(scalar);
    }
    Ok(scalars)
}

/// Field elements for the operations that take them (the inputs are already canonical).
pub fn to_field(scalars: &[Scalar]) -> Vec<Fr> {
    scalars.par_iter().map(|scalar| Fr::new(*scalar)).collect()
}

/// The canonical integers of field elements, for writing back as Python ints.
pub fn from_field(values: &[Fr]) -> Vec<Scalar> {
    values.par_iter().map(|value| value.into_bigint()).collect()
}

/// ints directly (bool included, as in Python arithmetic); other integer types such as
/// `gmpy2.mpz` through `__index__`. Anything else, or a value outside [0, r), is `None`.
fn canonical(value: &Bound<'_, PyAny>) -> Option<Scalar> {
    let limbs = match value.cast::<PyInt>() {
        Ok(int) => read_u256(int)?,
        Err(_) => {
            let index = value.call_method0(intern!(value.py(), "__index__")).ok()?;
            read_u256(index.cast::<PyInt>().ok()?)?
        }
    };
    let scalar = BigInt::new(limbs);
    (scalar < Fr::MODULUS).then_some(scalar)
}

fn shown(value: &Bound<'_, PyAny>) -> String {
    value.str().map_or_else(|_| "<unprintable>".to_owned(), |text| text.to_string())
}
