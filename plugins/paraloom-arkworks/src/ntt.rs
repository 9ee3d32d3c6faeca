//! NTTs over Fr on the 2-adic domain snarkjs uses, through ark-poly's radix-2 domain.
//!
//! ark-bn254 takes 5 as the multiplicative generator of Fr, as snarkjs does, so ark-poly's
//! root of unity for a domain of size n is exactly `paraloom.math.fields.fr_root_of_unity(n)`
//! (the tests compare both backends and naive evaluation). A coset domain evaluates at
//! shift·ω^i, the points the QAP quotient is computed on.

use ark_bn254::Fr;
use ark_ff::{FftField, Zero};
use ark_poly::{EvaluationDomain, Radix2EvaluationDomain};
use pyo3::prelude::*;

use crate::errors::{InvalidDomainError, InvalidScalarError};
use crate::ints::write_u256;
use crate::scalars::{from_field, read_scalar, read_scalars, to_field};

#[derive(Clone, Copy)]
pub enum Direction {
    Forward,
    Inverse,
}

/// Evaluate (forward) or interpolate (inverse) on the domain, shifted when `shift` is given.
pub fn transform<'py>(
    py: Python<'py>,
    values: &Bound<'py, PyAny>,
    shift: Option<&Bound<'py, PyAny>>,
    direction: Direction,
) -> PyResult<Vec<Bound<'py, PyAny>>> {
    let values = read_scalars(values, "NTT input")?;
    let shift = shift.map(read_shift).transpose()?;
    let domain = domain(values.len(), shift)?;
    let output = py.detach(|| {
        let mut values = to_field(&values);
        match direction {
            Direction::Forward => domain.fft_in_place(&mut values),
            Direction::Inverse => domain.ifft_in_place(&mut values),
        }
        from_field(&values)
    });
    output.iter().map(|value| write_u256(py, &value.0)).collect()
}

fn read_shift(shift: &Bound<'_, PyAny>) -> PyResult<Fr> {
    let shift = Fr::new(read_scalar(shift, "coset shift")?);
    if shift.is_zero() {
        return Err(InvalidScalarError::new_err("coset shift must be non-zero"));
    }
    Ok(shift)
}

/// The (coset) domain of `size` points; `shift` has been checked to be non-zero.
fn domain(size: usize, shift: Option<Fr>) -> PyResult<Radix2EvaluationDomain<Fr>> {
    let log_size = size.checked_ilog2().unwrap_or(u32::MAX);
    (size.is_power_of_two() && log_size <= Fr::TWO_ADICITY)
        .then(|| Radix2EvaluationDomain::new(size))
        .flatten()
        .and_then(|domain| match shift {
            Some(shift) => domain.get_coset(shift),
            None => Some(domain),
        })
        .ok_or_else(|| {
            InvalidDomainError::new_err(format!(
                "domain size {size} is not a power of two up to 2^{}",
                Fr::TWO_ADICITY
            ))
        })
}
